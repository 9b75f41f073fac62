using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Tests.Calls;

[Collection(AppCollection.Name)]
public sealed class HandTests(MeshMeetApp app)
{
    [Fact]
    public async Task A_raised_hand_reaches_everyone_and_newcomers_and_only_the_host_lowers_someone_elses()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(token, "Hands");
        await using var host = await CallClient.ConnectAsync(app, token);
        await using var ann = await CallClient.ConnectAsync(app);
        await using var ben = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await ann.JoinAsync(room, "Ann");
        await ben.JoinAsync(room, "Ben");

        await ann.InvokeAsync("SetHand", new SetHandRequest(true));
        foreach (var c in new[] { host, ann, ben }) await c.WaitForAsync<HandChanged>("HandChanged", h => h.Id == ann.SelfId && h.Raised);

        await using var late = await CallClient.ConnectAsync(app);
        var peers = (await late.JoinAsync(room, "Late")).Peers;
        Assert.True(peers.Single(p => p.Id == ann.SelfId).HandRaised);
        Assert.False(peers.Single(p => p.Id == ben.SelfId).HandRaised);

        // A guest can neither lower nor raise someone else's hand; the host can lower it.
        Assert.Contains("Only the host", CallClient.Reason(await Assert.ThrowsAsync<HubException>(() =>
            ben.InvokeAsync("SetHand", new SetHandRequest(false, ann.SelfId)))));
        Assert.Contains("Nobody can raise", CallClient.Reason(await Assert.ThrowsAsync<HubException>(() =>
            host.InvokeAsync("SetHand", new SetHandRequest(true, ben.SelfId)))));
        await host.InvokeAsync("SetHand", new SetHandRequest(false, ann.SelfId));
        foreach (var c in new[] { host, ann, ben, late }) await c.WaitForAsync<HandChanged>("HandChanged", h => h.Id == ann.SelfId && !h.Raised);
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(app.ConnectionString, "SELECT count(*) FROM participants WHERE \"HandRaised\""
            + $" AND \"RoomId\" = (SELECT \"Id\" FROM rooms WHERE \"PublicId\" = '{room}')"));
    }

    [Fact]
    public async Task Repeating_a_hand_or_media_state_tells_nobody_again_and_a_loop_of_them_is_slowed_down()
    {
        var room = await app.CreateRoomAsync(await app.TokenAsync(await app.CreateHostAsync()), "Repeats");
        await using var ann = await CallClient.ConnectAsync(app);
        await using var ben = await CallClient.ConnectAsync(app);
        await ann.JoinAsync(room, "Ann");
        await ben.JoinAsync(room, "Ben");

        await ann.InvokeAsync("SetHand", new SetHandRequest(true));
        await ann.InvokeAsync("SetHand", new SetHandRequest(true));
        await ann.InvokeAsync("SetMediaState", new SetMediaStateRequest(true, false));
        await ann.InvokeAsync("SetMediaState", new SetMediaStateRequest(true, false));
        // A change after the repeats is the barrier: everything before it has been sent.
        await ann.InvokeAsync("SetHand", new SetHandRequest(false));
        await ben.WaitForAsync<HandChanged>("HandChanged", h => !h.Raised);
        Assert.Equal(2, ben.Count("HandChanged"));
        Assert.Equal(1, ben.Count("MediaStateChanged"));

        // Each of these writes to the database: a burst of 20, then about two a second, while signals still pass.
        var refused = 0;
        for (var n = 0; n < 40 && refused == 0; n++)
        {
            try { await ann.InvokeAsync("SetMediaState", new SetMediaStateRequest(n % 2 == 0, false)); }
            catch (HubException e) when (CallClient.Reason(e) == "Too many requests from this connection. Slow down and try again.") { refused = n; }
        }
        Assert.InRange(refused, 14, 20); // 20 less the five calls above, plus what refilled meanwhile
        await ann.InvokeAsync("Signal", new SignalRequest(ben.SelfId, new SessionDescription("offer", "v=0"), null));
        await ben.WaitForAsync<SignalMessage>("Signal", s => s.From == ann.SelfId);
    }
}
