using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Tests.Presence;

public sealed class JoinRulesTests
{
    private static JoinFacts Facts(bool barred = false, bool resumes = false, bool locked = false, bool owner = false, int present = 0,
        int capacity = 6, bool ownerSeated = false) =>
        new(barred, resumes, locked, owner, present, capacity, ownerSeated);

    [Fact]
    public void A_guest_is_admitted_while_there_is_a_free_seat() =>
        Assert.Equal(JoinDecision.Admit, JoinRules.Decide(Facts(present: 4)));

    [Fact]
    public void While_the_owner_is_away_guests_leave_one_seat_free_for_them()
    {
        Assert.Equal(JoinDecision.RefuseFull, JoinRules.Decide(Facts(present: 5)));
        Assert.Equal(JoinDecision.Admit, JoinRules.Decide(Facts(present: 5, owner: true)));
    }

    [Fact]
    public void Once_the_owner_is_in_guests_may_take_the_last_seat() =>
        Assert.Equal(JoinDecision.Admit, JoinRules.Decide(Facts(present: 5, ownerSeated: true)));

    [Fact]
    public void A_full_room_refuses_even_its_owner() =>
        Assert.Equal(JoinDecision.RefuseFull, JoinRules.Decide(Facts(present: 6, owner: true)));

    [Fact]
    public void A_locked_room_refuses_guests_but_admits_its_owner()
    {
        Assert.Equal(JoinDecision.RefuseLocked, JoinRules.Decide(Facts(locked: true)));
        Assert.Equal(JoinDecision.Admit, JoinRules.Decide(Facts(locked: true, owner: true)));
    }

    [Fact]
    public void A_dropped_participant_resumes_its_seat_even_in_a_full_locked_room() =>
        Assert.Equal(JoinDecision.Resume, JoinRules.Decide(Facts(resumes: true, locked: true, present: 6)));

    [Fact]
    public void A_barred_browser_is_refused_before_anything_else() =>
        Assert.Equal(JoinDecision.RefuseBarred, JoinRules.Decide(Facts(barred: true, resumes: true, owner: true)));

    [Theory]
    [InlineData(JoinDecision.RefuseFull, "full")]
    [InlineData(JoinDecision.RefuseLocked, "locked")]
    [InlineData(JoinDecision.RefuseBarred, "barred")]
    [InlineData(JoinDecision.RefuseDenied, "denied")]
    public void Every_refusal_has_words_for_people_and_a_reason_for_the_audit(JoinDecision refusal, string reason)
    {
        var (message, auditReason) = JoinRules.Describe(refusal, 6);
        Assert.Equal(reason, auditReason);
        Assert.EndsWith(".", message);
    }

    [Fact]
    public void In_a_room_that_asks_to_join_guests_wait_the_owner_and_ticket_holders_go_in_and_a_denied_browser_is_refused()
    {
        var lobby = new JoinFacts(false, false, false, false, 2, 6, true, Lobby: true);
        Assert.Equal(JoinDecision.Wait, JoinRules.Decide(lobby));
        Assert.Equal(JoinDecision.Wait, JoinRules.Decide(lobby with { Present = 6 })); // a full room's lobby still takes knocks
        Assert.Equal(JoinDecision.Admit, JoinRules.Decide(lobby with { IsOwner = true }));
        Assert.Equal(JoinDecision.Admit, JoinRules.Decide(lobby with { Admitted = true }));
        Assert.Equal(JoinDecision.RefuseFull, JoinRules.Decide(lobby with { Admitted = true, Present = 6 })); // a ticket is no extra seat
        Assert.Equal(JoinDecision.Resume, JoinRules.Decide(lobby with { TokenResumes = true })); // someone in the call comes back without knocking
        Assert.Equal(JoinDecision.RefuseDenied, JoinRules.Decide(lobby with { DeniedRecently = true }));
        Assert.Equal(JoinDecision.RefuseLocked, JoinRules.Decide(lobby with { Locked = true })); // a locked room takes no knocks
        Assert.Equal(JoinDecision.Admit, JoinRules.Decide(lobby with { Lobby = false, DeniedRecently = true })); // the lobby turned off
    }

    [Fact]
    public void Seats_left_keep_one_for_the_absent_owner_and_count_the_tickets_given()
    {
        Assert.Equal(4, JoinRules.SeatsLeft(2, 6, ownerSeatedOrJoining: true));
        Assert.Equal(3, JoinRules.SeatsLeft(2, 6, ownerSeatedOrJoining: false));
        Assert.Equal(1, JoinRules.SeatsLeft(2, 6, ownerSeatedOrJoining: true, promised: 3));
    }
}

public sealed class SignalRulesTests
{
    private const string Peer = "AAAAAAAAAAAAAAAAAAAAAA";

    [Fact]
    public void An_offer_to_a_well_formed_id_passes() =>
        SignalRules.Check(new SignalRequest(Peer, new SessionDescription("offer", "v=0"), null), 1000);

    [Fact]
    public void A_signal_must_carry_exactly_one_payload()
    {
        Assert.Throws<HubException>(() => SignalRules.Check(new SignalRequest(Peer, null, null), 1000));
        Assert.Throws<HubException>(() => SignalRules.Check(
            new SignalRequest(Peer, new SessionDescription("offer", "v=0"), new IceCandidate("candidate:1", "0", 0, null)), 1000));
    }

    [Fact]
    public void Oversized_or_unknown_descriptions_are_refused()
    {
        Assert.Throws<HubException>(() => SignalRules.Check(new SignalRequest(Peer, new SessionDescription("offer", new string('a', 1001)), null), 1000));
        Assert.Throws<HubException>(() => SignalRules.Check(new SignalRequest(Peer, new SessionDescription("hello", "v=0"), null), 1000));
        Assert.Throws<HubException>(() => SignalRules.Check(new SignalRequest(Peer, null, new IceCandidate(new string('c', 5000), "0", 0, null)), 1000));
    }

    [Fact]
    public void A_signal_without_a_valid_recipient_is_refused() =>
        Assert.Throws<HubException>(() => SignalRules.Check(new SignalRequest("not-an-id", new SessionDescription("answer", "v=0"), null), 1000));

}
