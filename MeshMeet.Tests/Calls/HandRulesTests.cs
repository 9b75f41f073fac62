namespace MeshMeet.Tests.Calls;

public sealed class HandRulesTests
{
    private static HandFacts Facts(bool owner = false, bool? targetRaised = false) => new("me", owner, targetRaised);

    [Fact]
    public void Anyone_raises_and_lowers_their_own_hand_and_a_repeat_changes_nothing()
    {
        Assert.Equal(new HandChanged("me", true), Assert.IsType<HandDecision.Changed>(HandRules.Decide(Facts(), "me", true)).Event);
        Assert.Equal(new HandChanged("me", false), Assert.IsType<HandDecision.Changed>(HandRules.Decide(Facts(targetRaised: true), "me", false)).Event);
        Assert.IsType<HandDecision.Unchanged>(HandRules.Decide(Facts(targetRaised: true), "me", true));
    }

    [Fact]
    public void Only_the_host_lowers_someone_elses_hand_and_nobody_raises_it()
    {
        Assert.IsType<HandDecision.Changed>(HandRules.Decide(Facts(owner: true, targetRaised: true), "them", false));
        Assert.Equal("Only the host or a co-host can lower someone else's hand.", Assert.IsType<HandDecision.Refused>(HandRules.Decide(Facts(targetRaised: true), "them", false)).Words);
        Assert.Equal("Nobody can raise someone else's hand.", Assert.IsType<HandDecision.Refused>(HandRules.Decide(Facts(owner: true), "them", true)).Words);
    }

    [Fact]
    public void A_participant_not_in_the_room_is_refused() =>
        Assert.Equal("That participant is not in your room.", Assert.IsType<HandDecision.Refused>(HandRules.Decide(Facts(owner: true, targetRaised: null), "them", false)).Words);
}
