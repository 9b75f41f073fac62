namespace MeshMeet.Tests.Presence;

public sealed class LobbyRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(5);

    private static LobbyKnock Knock(bool denied = false, string? ticketHash = null, DateTimeOffset? decidedAt = null, string? browser = "b1") =>
        new() { Id = "k", DisplayName = "Cy", AddressHash = "a1", BrowserHash = browser, Denied = denied, TicketHash = ticketHash, DecidedAt = decidedAt };

    [Fact]
    public void A_denial_holds_that_browser_or_without_one_that_address_for_the_cooldown()
    {
        var denied = Knock(denied: true, decidedAt: T0);
        Assert.True(LobbyRules.DeniedRecently(denied, "b1", "a9", T0.AddMinutes(4), Cooldown));
        Assert.False(LobbyRules.DeniedRecently(denied, "b2", "a1", T0.AddMinutes(1), Cooldown)); // another browser behind the same address
        Assert.False(LobbyRules.DeniedRecently(denied, "b1", "a1", T0.AddMinutes(6), Cooldown));
        Assert.True(LobbyRules.DeniedRecently(Knock(denied: true, decidedAt: T0, browser: null), null, "a1", T0.AddMinutes(1), Cooldown));
        Assert.False(LobbyRules.DeniedRecently(Knock(ticketHash: "t", decidedAt: T0), "b1", "a1", T0, Cooldown)); // admitted, not denied
    }

    [Fact]
    public void A_ticket_admits_its_holder_within_its_life_and_is_spent_after()
    {
        var admitted = Knock(ticketHash: "t", decidedAt: T0);
        Assert.True(LobbyRules.Admits(admitted, "t", T0.AddMinutes(9)));
        Assert.False(LobbyRules.Admits(admitted, "other", T0));
        Assert.False(LobbyRules.Admits(admitted, null, T0));
        Assert.False(LobbyRules.Admits(admitted, "t", T0.Add(LobbyRules.TicketLife).AddSeconds(1)));
        Assert.True(LobbyRules.Spent(admitted, T0.Add(LobbyRules.TicketLife).AddSeconds(1), Cooldown));
        Assert.False(LobbyRules.Spent(Knock(), T0.AddDays(1), Cooldown)); // still waiting: never tidied away as decided
    }
}
