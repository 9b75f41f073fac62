using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Moderation;

/// <summary>"Ask to join" through real SignalR clients: a guest knocks, waits outside the call, and the host (or a
/// co-host) lets them in or turns them away.</summary>
[Collection(AppCollection.Name)]
public sealed class LobbyHubTests(MeshMeetApp app)
{
    private async Task<(string RoomId, string HostToken)> LobbyRoomAsync(int? capacity = null)
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(token, "Surgery", capacity);
        Assert.True((await app.ChangeRoomAsync(token, room, new { lobby = true })).Lobby);
        return (room, token);
    }

    [Fact]
    public async Task A_guest_waits_outside_the_call_until_the_host_lets_them_in_and_the_ticket_takes_one_seat_once()
    {
        var (room, hostToken) = await LobbyRoomAsync();
        await using var guest = await CallClient.ConnectAsync(app);

        // Nobody who can let them in is there yet; the guest is not in the call.
        var knock = await guest.JoinAsync(room, "Patient");
        Assert.True(knock.Waiting);
        Assert.False(knock.HostPresent);
        Assert.Contains("not in a room", (await Assert.ThrowsAsync<HubException>(() => guest.InvokeAsync("SetMediaState",
            new Web.Calls.Media.SetMediaStateRequest(true, false)))).Message);

        // The host arrives: they see the guest waiting, the guest hears someone can let them in, and the call's own
        // messages do not reach the guest.
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        var hostJoin = await host.JoinAsync(room, "Doctor");
        Assert.Empty(hostJoin.Peers);
        Assert.True(hostJoin.Lobby);
        var waiting = await host.WaitForAsync<LobbyChanged>("LobbyChanged", m => m.Waiting.Length == 1);
        Assert.Equal("Patient", waiting.Waiting[0].DisplayName);
        await guest.WaitForAsync<LobbyHost>("LobbyHost", m => m.Present);
        await host.InvokeAsync("SetMediaState", new Web.Calls.Media.SetMediaStateRequest(true, false));

        // A guest cannot let themselves or others in.
        await using var other = await CallClient.ConnectAsync(app);
        Assert.True((await other.JoinAsync(room, "Next")).Waiting);
        var selfAdmit = await Assert.ThrowsAsync<HubException>(() => guest.InvokeAsync("AdmitGuest", new AdmitGuestRequest(waiting.Waiting[0].Id)));
        Assert.Equal("You are not in a room. Join one first.", CallClient.Reason(selfAdmit));

        await host.InvokeAsync("AdmitGuest", new AdmitGuestRequest(waiting.Waiting[0].Id));
        var admitted = await guest.WaitForAsync<AdmittedFromLobby>("Admitted");
        var seated = await guest.JoinAsync(room, "Patient", admissionTicket: admitted.Ticket);
        Assert.False(seated.Waiting);
        Assert.Equal("Doctor", Assert.Single(seated.Peers).DisplayName);
        Assert.Equal(seated.SelfId, (await host.WaitForAsync<PeerInfo>("PeerJoined")).Id);
        Assert.Equal(0, guest.Count("MediaStateChanged")); // the host's mute before the guest came in never reached them

        // The ticket is spent: someone else holding it only knocks.
        await using var thief = await CallClient.ConnectAsync(app);
        Assert.True((await thief.JoinAsync(room, "Thief", admissionTicket: admitted.Ticket)).Waiting);

        await using var scope = app.Services.CreateAsyncScope();
        var timeline = await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(room);
        var row = timeline.Single(e => e.Event == "GuestAdmitted");
        Assert.StartsWith("Doctor (", row.Actor);
        Assert.Equal("Patient", row.Participant);
        Assert.Contains(timeline, e => e.Event == "ParticipantJoined" && e.Participant == $"Patient ({seated.SelfId})");
    }

    [Fact]
    public async Task A_denied_guest_reads_why_and_that_browser_cannot_knock_again_for_a_while_but_others_can()
    {
        var (room, hostToken) = await LobbyRoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await host.JoinAsync(room, "Host");
        var cookie = await app.BrowserCookieAsync(room);
        await using var guest = await CallClient.ConnectAsync(app, cookie: cookie);
        Assert.True((await guest.JoinAsync(room, "Spammer")).Waiting);
        var knock = (await host.WaitForAsync<LobbyChanged>("LobbyChanged", m => m.Waiting.Length == 1)).Waiting[0];

        var tooLong = await Assert.ThrowsAsync<HubException>(() => host.InvokeAsync("DenyGuest", new DenyGuestRequest(knock.Id, new string('x', 201))));
        Assert.Equal("The reason must be at most 200 characters.", CallClient.Reason(tooLong));
        await host.InvokeAsync("DenyGuest", new DenyGuestRequest(knock.Id, "This call is for the team only."));
        Assert.Equal("This call is for the team only.", (await guest.WaitForAsync<Denied>("Denied")).Reason);
        Assert.Empty((await host.WaitForAsync<LobbyChanged>("LobbyChanged", m => m.Waiting.Length == 0)).Waiting);
        var twice = await Assert.ThrowsAsync<HubException>(() => host.InvokeAsync("AdmitGuest", new AdmitGuestRequest(knock.Id)));
        Assert.Equal("That person is no longer waiting.", CallClient.Reason(twice));

        await using var again = await CallClient.ConnectAsync(app, cookie: cookie);
        var refused = await Assert.ThrowsAsync<HubException>(() => again.JoinAsync(room, "Spammer"));
        Assert.Equal("The host didn't let you in. You can ask again in a few minutes.", CallClient.Reason(refused));
        await using var someoneElse = await CallClient.ConnectAsync(app, cookie: await app.BrowserCookieAsync(room));
        Assert.True((await someoneElse.JoinAsync(room, "Colleague")).Waiting);

        await using var scope = app.Services.CreateAsyncScope();
        var denied = (await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(room)).Single(e => e.Event == "GuestDenied");
        Assert.Equal(("Spammer", "This call is for the team only."), (denied.Participant, denied.Details));
        Assert.StartsWith("Host (", denied.Actor);
    }

    [Fact]
    public async Task Admission_keeps_to_the_rooms_capacity_and_a_guest_who_goes_leaves_the_hosts_list()
    {
        var (room, hostToken) = await LobbyRoomAsync(capacity: 2);
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await host.JoinAsync(room, "Host");
        await using var first = await CallClient.ConnectAsync(app);
        await using var second = await CallClient.ConnectAsync(app);
        await first.JoinAsync(room, "First");
        await second.JoinAsync(room, "Second");
        await host.WaitForAsync<LobbyChanged>("LobbyChanged", m => m.Waiting.Length == 2);

        // Two do not fit in the one seat left: Admit all says so and lets nobody in; one at a time works.
        var all = await Assert.ThrowsAsync<HubException>(() => host.InvokeAsync("AdmitAll", new AdmitAllRequest()));
        Assert.Equal("Only 1 more can join this room now: let people in one at a time.", CallClient.Reason(all));
        var knocks = host.Events<LobbyChanged>("LobbyChanged").Last().Waiting;
        await host.InvokeAsync("AdmitGuest", new AdmitGuestRequest(knocks[0].Id));
        await first.JoinAsync(room, "First", admissionTicket: (await first.WaitForAsync<AdmittedFromLobby>("Admitted")).Ticket);
        var full = await Assert.ThrowsAsync<HubException>(() => host.InvokeAsync("AdmitGuest", new AdmitGuestRequest(knocks[1].Id)));
        Assert.Equal("The room is full. Let them in when someone leaves.", CallClient.Reason(full));

        // The second gives up (closes the page): the host's list empties.
        await second.DisposeAsync();
        Assert.Empty((await host.WaitForAsync<LobbyChanged>("LobbyChanged", m => m.Waiting.Length == 0)).Waiting);
    }

    [Fact]
    public async Task Knocks_are_limited_per_browser_and_turning_the_lobby_off_lets_everyone_waiting_in()
    {
        var (room, hostToken) = await LobbyRoomAsync();
        var cookie = await app.BrowserCookieAsync(room);
        var refusals = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await using var knocker = await CallClient.ConnectAsync(app, cookie: cookie);
            try { Assert.True((await knocker.JoinAsync(room, "Knocker")).Waiting); }
            catch (HubException e) { refusals.Add(CallClient.Reason(e)); }
        }
        Assert.Equal(["You have asked to join this room too often. Wait a few minutes, then try again."], refusals);

        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var guest = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await guest.JoinAsync(room, "Late");
        await host.WaitForAsync<LobbyChanged>("LobbyChanged", m => m.Waiting.Length == 1);
        await host.InvokeAsync("SetLobby", new SetLobbyRequest(false));
        var ticket = (await guest.WaitForAsync<AdmittedFromLobby>("Admitted")).Ticket;
        Assert.False((await guest.JoinAsync(room, "Late", admissionTicket: ticket)).Waiting);
        await using var next = await CallClient.ConnectAsync(app);
        Assert.False((await next.JoinAsync(room, "Walk-in")).Waiting); // no lobby any more
    }
}
