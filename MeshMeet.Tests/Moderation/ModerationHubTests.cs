using System.Net;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Moderation;

[Collection(AppCollection.Name)]
public sealed class ModerationHubTests(MeshMeetApp app)
{
    private async Task<(string RoomId, string HostToken)> RoomAsync(string name = "Moderated")
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        return (await app.CreateRoomAsync(token, name), token);
    }

    [Fact]
    public async Task A_kick_reaches_the_target_the_others_see_it_leave_and_the_target_hears_nothing_more()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var target = await CallClient.ConnectAsync(app);
        await using var other = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await target.JoinAsync(room, "Troll");
        await other.JoinAsync(room, "Other");

        await host.InvokeAsync("KickParticipant", new KickParticipantRequest(target.SelfId));
        var kicked = await target.WaitForAsync<Kicked>("Kicked");
        var leftAtOther = await other.WaitForAsync<PeerLeft>("PeerLeft");
        var before = target.Count();
        await other.InvokeAsync("SetMediaState", new SetMediaStateRequest(true, false));
        await host.WaitForAsync<MediaStateChanged>("MediaStateChanged");
        await target.BarrierAsync();

        Assert.Contains("removed you", kicked.Reason);
        Assert.Equal(new PeerLeft(target.SelfId, "kicked"), leftAtOther);
        Assert.Equal(before, target.Count()); // nothing from the room after the kick
        var signal = await Assert.ThrowsAsync<HubException>(() => target.InvokeAsync("Signal",
            new SignalRequest(other.SelfId, new SessionDescription("offer", "v=0"), null)));
        Assert.Contains("not in a room", signal.Message);
    }

    [Fact]
    public async Task The_kicked_browser_cannot_rejoin_with_its_token_but_others_still_can()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        var target = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        var first = await target.JoinAsync(room, "Troll");
        await host.InvokeAsync("KickParticipant", new KickParticipantRequest(target.SelfId));
        await target.DisposeAsync();

        await using var again = await CallClient.ConnectAsync(app);
        var error = await Assert.ThrowsAsync<HubException>(() => again.JoinAsync(room, "Troll", first.ReconnectToken));
        await using var newcomer = await CallClient.ConnectAsync(app);
        await newcomer.JoinAsync(room, "Friend");

        Assert.Contains("cannot rejoin", error.Message);
    }

    [Fact]
    public async Task Kick_end_and_lock_are_refused_for_guests_and_for_hosts_of_other_rooms()
    {
        var (room, hostToken) = await RoomAsync();
        var (_, otherHostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var guest = await CallClient.ConnectAsync(app);
        await using var otherHost = await CallClient.ConnectAsync(app, otherHostToken);
        await host.JoinAsync(room, "Host");
        await guest.JoinAsync(room, "Guest");
        var otherJoin = await otherHost.JoinAsync(room, "Other host");
        Assert.False(otherJoin.IsHost);

        foreach (var caller in new[] { guest, otherHost })
        {
            var kick = await Assert.ThrowsAsync<HubException>(() => caller.InvokeAsync("KickParticipant", new KickParticipantRequest(host.SelfId)));
            var end = await Assert.ThrowsAsync<HubException>(() => caller.InvokeAsync("EndRoom", new EndRoomRequest()));
            var lockRoom = await Assert.ThrowsAsync<HubException>(() => caller.InvokeAsync("SetRoomLock", new SetRoomLockRequest(true)));
            Assert.All([kick, end, lockRoom], e => Assert.Equal("Only the room's host or a co-host can do that.", CallClient.Reason(e)));
        }
        await host.BarrierAsync();
        Assert.Equal(0, host.Count("Kicked") + host.Count("RoomClosed") + host.Count("RoomLockChanged"));
    }

    [Fact]
    public async Task The_owner_makes_a_guest_co_host_who_then_kicks_and_locks_until_the_owner_takes_it_back_and_all_is_audited()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var ben = await CallClient.ConnectAsync(app);
        await using var cleo = await CallClient.ConnectAsync(app);
        await using var dan = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await ben.JoinAsync(room, "Ben");
        await cleo.JoinAsync(room, "Cleo");
        await dan.JoinAsync(room, "Dan");

        // Ben may not yet; then the owner makes him co-host, and everyone hears it (a newcomer reads it in peers).
        await Assert.ThrowsAsync<HubException>(() => ben.InvokeAsync("KickParticipant", new KickParticipantRequest(dan.SelfId)));
        await host.InvokeAsync("SetCohost", new SetCohostRequest(ben.SelfId, true));
        Assert.Equal(new CohostChanged(ben.SelfId, true), await cleo.WaitForAsync<CohostChanged>("CohostChanged"));
        await using var eve = await CallClient.ConnectAsync(app);
        Assert.True((await eve.JoinAsync(room, "Eve")).Peers.Single(p => p.Id == ben.SelfId).IsCohost);

        // A co-host kicks and locks, but neither removes the owner nor appoints others.
        await ben.InvokeAsync("KickParticipant", new KickParticipantRequest(dan.SelfId));
        await dan.WaitForAsync<Kicked>("Kicked");
        await ben.InvokeAsync("SetRoomLock", new SetRoomLockRequest(true));
        var kickOwner = await Assert.ThrowsAsync<HubException>(() => ben.InvokeAsync("KickParticipant", new KickParticipantRequest(host.SelfId)));
        var appoint = await Assert.ThrowsAsync<HubException>(() => ben.InvokeAsync("SetCohost", new SetCohostRequest(cleo.SelfId, true)));
        var byGuest = await Assert.ThrowsAsync<HubException>(() => cleo.InvokeAsync("SetCohost", new SetCohostRequest(cleo.SelfId, true)));
        Assert.Equal("The room's owner is always a host.", CallClient.Reason(kickOwner));
        Assert.All([appoint, byGuest], e => Assert.Equal("Only the room's owner can make someone co-host.", CallClient.Reason(e)));

        // Taken back: Ben may not any more.
        await host.InvokeAsync("SetCohost", new SetCohostRequest(ben.SelfId, false));
        var after = await Assert.ThrowsAsync<HubException>(() => ben.InvokeAsync("SetRoomLock", new SetRoomLockRequest(false)));
        Assert.Equal("Only the room's host or a co-host can do that.", CallClient.Reason(after));

        await using var scope = app.Services.CreateAsyncScope();
        var timeline = await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(room);
        Assert.Equal($"Ben ({ben.SelfId})", timeline.Single(e => e.Event == "CohostGranted").Participant);
        Assert.Equal($"Ben ({ben.SelfId})", timeline.Single(e => e.Event == "CohostRevoked").Participant);
        // A guest co-host's actions are recorded as theirs, by participant id.
        Assert.Equal($"Ben ({ben.SelfId})", timeline.Single(e => e.Event == "ParticipantKicked").Actor);
        Assert.Equal($"Ben ({ben.SelfId})", timeline.Single(e => e.Event == "RoomLocked").Actor);
    }

    [Fact]
    public async Task A_locked_room_refuses_newcomers_until_unlocked_and_the_owner_still_gets_in()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var guest = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await guest.JoinAsync(room, "Guest");

        await host.InvokeAsync("SetRoomLock", new SetRoomLockRequest(true));
        var heard = await guest.WaitForAsync<RoomLockChanged>("RoomLockChanged");
        await using var late = await CallClient.ConnectAsync(app);
        var refused = await Assert.ThrowsAsync<HubException>(() => late.JoinAsync(room, "Late"));
        await using var hostTab = await CallClient.ConnectAsync(app, hostToken);
        var hostSecondTab = await hostTab.JoinAsync(room, "Host (tablet)");
        await host.InvokeAsync("SetRoomLock", new SetRoomLockRequest(false));
        var lateJoin = await late.JoinAsync(room, "Late");

        Assert.True(heard.Locked);
        Assert.Contains("locked", refused.Message);
        Assert.True(hostSecondTab.IsHost);
        Assert.Equal(3, lateJoin.Peers.Length);
    }

    [Fact]
    public async Task Kicking_with_lock_locks_the_room_in_the_same_step()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var target = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await target.JoinAsync(room, "Troll");

        await host.InvokeAsync("KickParticipant", new KickParticipantRequest(target.SelfId, LockRoom: true));
        var locked = await host.WaitForAsync<RoomLockChanged>("RoomLockChanged");
        await using var friendOfTroll = await CallClient.ConnectAsync(app);

        Assert.True(locked.Locked);
        Assert.Contains("locked", (await Assert.ThrowsAsync<HubException>(() => friendOfTroll.JoinAsync(room, "Troll 2"))).Message);
    }

    [Fact]
    public async Task Ending_the_call_closes_it_for_everyone_and_the_room_can_be_used_again()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var guest = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await guest.JoinAsync(room, "Guest");

        await host.InvokeAsync("EndRoom", new EndRoomRequest());

        Assert.Equal("ended", (await guest.WaitForAsync<RoomClosed>("RoomClosed")).Reason);
        Assert.Equal("ended", (await host.WaitForAsync<RoomClosed>("RoomClosed")).Reason);
        await using var later = await CallClient.ConnectAsync(app);
        Assert.Empty((await later.JoinAsync(room, "Later")).Peers);
    }

    [Fact]
    public async Task Deleting_a_room_with_a_live_call_closes_the_call_first()
    {
        var (room, hostToken) = await RoomAsync();
        await using var guest = await CallClient.ConnectAsync(app);
        await guest.JoinAsync(room, "Guest");
        using var api = app.BearerClient(hostToken);

        var response = await api.DeleteAsync($"/api/rooms/{room}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("deleted", (await guest.WaitForAsync<RoomClosed>("RoomClosed")).Reason);
        await using var late = await CallClient.ConnectAsync(app);
        Assert.Contains("does not exist", (await Assert.ThrowsAsync<HubException>(() => late.JoinAsync(room, "Late"))).Message);
    }

    [Fact]
    public async Task A_scripted_session_leaves_exactly_the_expected_audit_trail_and_summary()
    {
        var hostEmail = await app.CreateHostAsync();
        var hostToken = await app.TokenAsync(hostEmail);
        var room = await app.CreateRoomAsync(hostToken, "Audited");
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var ann = await CallClient.ConnectAsync(app);
        await using var bob = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await ann.JoinAsync(room, "Ann");
        await bob.JoinAsync(room, "Bob");
        await ann.InvokeAsync("LeaveRoom", new LeaveRoomRequest());
        await host.InvokeAsync("KickParticipant", new KickParticipantRequest(bob.SelfId));
        await host.InvokeAsync("SetRoomLock", new SetRoomLockRequest(true));
        await using var carl = await CallClient.ConnectAsync(app);
        await Assert.ThrowsAsync<HubException>(() => carl.JoinAsync(room, "Carl"));
        await host.InvokeAsync("EndRoom", new EndRoomRequest());
        using (var api = app.BearerClient(hostToken)) await api.DeleteAsync($"/api/rooms/{room}");

        await using var scope = app.Services.CreateAsyncScope();
        var audit = scope.ServiceProvider.GetRequiredService<AuditQueries>();
        var timeline = await audit.TimelineAsync(room);
        var summary = await audit.SummaryAsync(room);

        Assert.Equal(
            ["RoomCreated", "ParticipantJoined", "ParticipantJoined", "ParticipantJoined", "ParticipantLeft",
             "ParticipantKicked", "RoomLocked", "JoinRefused", "RoomEnded", "RoomDeleted"],
            timeline.Select(e => e.Event));
        Assert.Equal(["Host", "Ann", "Bob"], timeline.Where(e => e.Event == "ParticipantJoined").Select(e => e.Participant.Split(" (")[0]));
        Assert.Contains("Bob", timeline.Single(e => e.Event == "ParticipantKicked").Participant);
        Assert.Equal("locked", timeline.Single(e => e.Event == "JoinRefused").Details);
        Assert.Equal("left", timeline.Single(e => e.Event == "ParticipantLeft").Details);
        Assert.Contains(hostEmail, timeline.Single(e => e.Event == "RoomDeleted").Actor);
        Assert.Equal(timeline.OrderBy(e => e.Sequence), timeline);
        Assert.Equal((3, 3, 1, 1, true, 0), (summary!.TotalJoins, summary.PeakParticipants, summary.Kicks, summary.Refusals, summary.Deleted, summary.Present));
    }
}
