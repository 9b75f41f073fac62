using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Tests.Signaling;

[Collection(AppCollection.Name)]
public sealed class SignalingHubTests(MeshMeetApp app)
{
    private async Task<(string RoomId, string HostToken)> RoomAsync(int? capacity = null)
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        return (await app.CreateRoomAsync(token, "Hub room", capacity), token);
    }

    private static SessionDescription Offer => new("offer", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");

    [Fact]
    public async Task A_newcomer_gets_the_peers_and_the_others_hear_that_it_joined()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var guest = await CallClient.ConnectAsync(app);

        var hostJoin = await host.JoinAsync(room, "Hanna Host");
        var guestJoin = await guest.JoinAsync(room, "  Gus  ");
        var heard = await host.WaitForAsync<PeerInfo>("PeerJoined");

        Assert.True(hostJoin.IsHost);
        Assert.Empty(hostJoin.Peers);
        Assert.False(guestJoin.IsHost);
        Assert.Equal(6, guestJoin.Capacity);
        Assert.Equal(new PeerInfo(hostJoin.SelfId, "Hanna Host", true, false, false), Assert.Single(guestJoin.Peers));
        Assert.Equal(new PeerInfo(guestJoin.SelfId, "Gus", false, false, false), heard);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", guestJoin.SelfId);
        Assert.NotEqual(guest.Connection.ConnectionId, guestJoin.SelfId);
        Assert.Equal(0, guest.Count("PeerJoined")); // nobody hears about themselves
    }

    [Fact]
    public async Task A_signal_reaches_exactly_the_named_peer_and_nobody_else()
    {
        var (room, _) = await RoomAsync();
        await using var a = await CallClient.ConnectAsync(app);
        await using var b = await CallClient.ConnectAsync(app);
        await using var c = await CallClient.ConnectAsync(app);
        await a.JoinAsync(room, "A");
        await b.JoinAsync(room, "B");
        await c.JoinAsync(room, "C");

        await a.InvokeAsync("Signal", new SignalRequest(b.SelfId, Offer, null));
        await a.InvokeAsync("Signal", new SignalRequest(b.SelfId, null, new IceCandidate("candidate:1 1 udp 1 127.0.0.1 5000 typ host", "0", 0, "u")));
        var offer = await b.WaitForAsync<SignalMessage>("Signal", s => s.Description is not null);
        var candidate = await b.WaitForAsync<SignalMessage>("Signal", s => s.Candidate is not null);
        await c.BarrierAsync();
        await a.BarrierAsync();

        Assert.Equal(a.SelfId, offer.From);
        Assert.Equal(Offer, offer.Description);
        Assert.Equal("candidate:1 1 udp 1 127.0.0.1 5000 typ host", candidate.Candidate!.Candidate);
        Assert.Equal(0, c.Count("Signal"));
        Assert.Equal(0, a.Count("Signal"));
    }

    [Fact]
    public async Task A_signal_to_someone_in_another_room_is_refused_and_not_delivered()
    {
        var (room1, _) = await RoomAsync();
        var (room2, _) = await RoomAsync();
        await using var a = await CallClient.ConnectAsync(app);
        await using var stranger = await CallClient.ConnectAsync(app);
        await a.JoinAsync(room1, "A");
        await stranger.JoinAsync(room2, "Stranger");

        var error = await Assert.ThrowsAsync<HubException>(() => a.InvokeAsync("Signal", new SignalRequest(stranger.SelfId, Offer, null)));
        await stranger.BarrierAsync();

        Assert.Contains("not in your room", error.Message);
        Assert.Equal(0, stranger.Count("Signal"));
    }

    [Fact]
    public async Task Signalling_before_joining_is_refused_with_words()
    {
        await using var a = await CallClient.ConnectAsync(app);
        var error = await Assert.ThrowsAsync<HubException>(() => a.InvokeAsync("Signal", new SignalRequest("AAAAAAAAAAAAAAAAAAAAAA", Offer, null)));
        Assert.Contains("not in a room", error.Message);
    }

    [Theory]
    [InlineData("", "Your name is required.")]
    [InlineData("   ", "Your name is required.")]
    [InlineData("tab\there", "Your name must not contain control characters.")]
    [InlineData("12345678901234567890123456789012345678901", "Your name must be at most 40 characters.")]
    public async Task Invalid_names_are_refused_with_a_clear_message(string name, string message)
    {
        var (room, _) = await RoomAsync();
        await using var a = await CallClient.ConnectAsync(app);
        var error = await Assert.ThrowsAsync<HubException>(() => a.JoinAsync(room, name));
        Assert.Equal(message, CallClient.Reason(error));
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("../../etc/passwd")]
    public async Task Joining_a_room_that_does_not_exist_says_so(string roomId)
    {
        await using var a = await CallClient.ConnectAsync(app);
        var error = await Assert.ThrowsAsync<HubException>(() => a.JoinAsync(roomId, "Ann"));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task Twenty_people_racing_into_a_room_of_six_leave_exactly_six_inside_every_time()
    {
        for (var round = 0; round < 10; round++)
        {
            // The host races with 19 guests: whoever is first, the guests leave the host's seat free.
            var (room, hostToken) = await RoomAsync();
            var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => CallClient.ConnectAsync(app, i == 7 ? hostToken : null)));
            try
            {
                var attempts = await Task.WhenAll(clients.Select(async (c, i) =>
                {
                    try { await c.JoinAsync(room, $"P{i}"); return (Admitted: true, Error: ""); }
                    catch (HubException e) { return (Admitted: false, Error: CallClient.Reason(e)); }
                }));

                Assert.Equal(6, attempts.Count(a => a.Admitted));
                Assert.True(attempts[7].Admitted);
                Assert.All(attempts.Where(a => !a.Admitted), a => Assert.Contains("This room is full (6 of 6 people)", a.Error));
                Assert.Equal(6, await TestDatabase.ScalarAsync<long>(app.ConnectionString,
                    $"SELECT count(*) FROM participants p JOIN rooms r ON r.\"Id\" = p.\"RoomId\" WHERE r.\"PublicId\" = '{room}'"));
            }
            finally
            {
                foreach (var c in clients) await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Six_people_joining_at_once_learn_of_each_other_exactly_once_per_pair()
    {
        // Joins that arrive together commit together; each pair must still be told once: the earlier one hears
        // PeerJoined and offers, the later one finds the earlier in its peers and waits. Twice would mean two offers.
        for (var round = 0; round < 5; round++)
        {
            var (room, hostToken) = await RoomAsync();
            var clients = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => CallClient.ConnectAsync(app, i == 0 ? hostToken : null)));
            try
            {
                var joins = await Task.WhenAll(clients.Select((c, i) => c.JoinAsync(room, $"P{i}")));
                var ids = joins.Select(j => j.SelfId).ToArray();
                Assert.Equal(6, ids.Distinct().Count());
                for (var a = 0; a < 6; a++)
                for (var b = a + 1; b < 6; b++)
                {
                    int i = a, k = b;
                    var aFirst = joins[k].Peers.Any(p => p.Id == ids[i]);
                    var kFirst = joins[i].Peers.Any(p => p.Id == ids[k]);
                    Assert.True(aFirst ^ kFirst, $"P{i} and P{k}: each must be in exactly one of the other's peers");
                    var (earlier, later) = aFirst ? (clients[i], ids[k]) : (clients[k], ids[i]);
                    await earlier.WaitForAsync<PeerInfo>("PeerJoined", p => p.Id == later);
                }
                await Task.Delay(200);
                Assert.All(clients, c => Assert.Equal(c.Events<PeerInfo>("PeerJoined").Count(), c.Events<PeerInfo>("PeerJoined").Select(p => p.Id).Distinct().Count()));
                Assert.Equal(15, clients.Sum(c => c.Count("PeerJoined")));
            }
            finally
            {
                foreach (var c in clients) await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Mute_and_camera_state_reach_the_others_and_the_next_newcomer()
    {
        var (room, _) = await RoomAsync();
        await using var a = await CallClient.ConnectAsync(app);
        await using var b = await CallClient.ConnectAsync(app);
        await a.JoinAsync(room, "A");
        await b.JoinAsync(room, "B");

        await a.InvokeAsync("SetMediaState", new SetMediaStateRequest(true, false));
        var changed = await b.WaitForAsync<MediaStateChanged>("MediaStateChanged");
        await using var c = await CallClient.ConnectAsync(app);
        var cJoin = await c.JoinAsync(room, "C");

        Assert.Equal(new MediaStateChanged(a.SelfId, true, false), changed);
        Assert.True(cJoin.Peers.Single(p => p.Id == a.SelfId).AudioMuted);
        Assert.Equal(0, a.Count("MediaStateChanged"));
    }

    [Fact]
    public async Task Leaving_tells_the_others_at_once_and_frees_the_seat()
    {
        var (room, hostToken) = await RoomAsync(capacity: 2);
        await using var a = await CallClient.ConnectAsync(app, hostToken);
        await using var b = await CallClient.ConnectAsync(app);
        await using var c = await CallClient.ConnectAsync(app);
        await a.JoinAsync(room, "A");
        await b.JoinAsync(room, "B");
        await Assert.ThrowsAsync<HubException>(() => c.JoinAsync(room, "C"));

        await b.InvokeAsync("LeaveRoom", new LeaveRoomRequest());
        var left = await a.WaitForAsync<PeerLeft>("PeerLeft");
        var cJoin = await c.JoinAsync(room, "C");

        Assert.Equal(new PeerLeft(b.SelfId, "left"), left);
        Assert.Equal([a.SelfId], cJoin.Peers.Select(p => p.Id));
    }

    [Fact]
    public async Task A_dropped_connection_becomes_disconnected_after_the_grace_period()
    {
        var (room, _) = await RoomAsync();
        await using var a = await CallClient.ConnectAsync(app);
        var b = await CallClient.ConnectAsync(app);
        await a.JoinAsync(room, "A");
        var bId = (await b.JoinAsync(room, "B")).SelfId;

        await b.DisposeAsync(); // the network goes away; no LeaveRoom
        await Task.Delay(1000);
        Assert.Equal(0, a.Count("PeerLeft")); // still within the 2 s grace

        var left = await a.WaitForAsync<PeerLeft>("PeerLeft", timeoutMs: 6000);
        Assert.Equal(new PeerLeft(bId, "disconnected"), left);
    }

    [Fact]
    public async Task Coming_back_within_the_grace_period_resumes_the_same_identity()
    {
        var (room, _) = await RoomAsync();
        await using var a = await CallClient.ConnectAsync(app);
        var b = await CallClient.ConnectAsync(app);
        await a.JoinAsync(room, "A");
        var first = await b.JoinAsync(room, "B");
        await b.DisposeAsync();

        await using var again = await CallClient.ConnectAsync(app);
        var resumed = await again.JoinAsync(room, "B", first.ReconnectToken);
        var rejoined = await a.WaitForAsync<PeerInfo>("PeerJoined", p => p.Id == first.SelfId && a.Count("PeerJoined") >= 2);
        await Task.Delay(2500); // past the grace period: no PeerLeft for the resumed participant

        Assert.True(resumed.Resumed);
        Assert.Equal(first.SelfId, resumed.SelfId);
        Assert.Equal(first.SelfId, rejoined.Id);
        Assert.Equal(0, a.Count("PeerLeft"));
        await a.InvokeAsync("Signal", new SignalRequest(first.SelfId, Offer, null));
        Assert.Equal(a.SelfId, (await again.WaitForAsync<SignalMessage>("Signal")).From);
    }

    [Fact]
    public async Task A_long_polling_client_joins_and_exchanges_signals_with_a_websocket_client()
    {
        var (room, _) = await RoomAsync();
        await using var ws = await CallClient.ConnectAsync(app);
        await using var poll = await CallClient.ConnectAsync(app, transport: HttpTransportType.LongPolling);
        await ws.JoinAsync(room, "WebSocket");
        await poll.JoinAsync(room, "Long poll");

        await ws.InvokeAsync("Signal", new SignalRequest(poll.SelfId, Offer, null));
        var atPoll = await poll.WaitForAsync<SignalMessage>("Signal");
        await poll.InvokeAsync("Signal", new SignalRequest(ws.SelfId, new SessionDescription("answer", "v=0"), null));
        var atWs = await ws.WaitForAsync<SignalMessage>("Signal");

        Assert.Equal(ws.SelfId, atPoll.From);
        Assert.Equal("answer", atWs.Description!.Type);
    }

    [Fact]
    public async Task A_flood_of_calls_from_one_connection_is_throttled_without_hurting_others()
    {
        var (room, _) = await RoomAsync();
        await using var flooder = await CallClient.ConnectAsync(app);
        await using var calm = await CallClient.ConnectAsync(app);
        await flooder.JoinAsync(room, "Flood");
        await calm.JoinAsync(room, "Calm");

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(async _ =>
        {
            try { await flooder.InvokeAsync("SetMediaState", new SetMediaStateRequest(false, false)); return ""; }
            catch (HubException e) { return CallClient.Reason(e); }
        }));
        await calm.InvokeAsync("SetMediaState", new SetMediaStateRequest(true, true));

        Assert.Contains(results, r => r.StartsWith("Too many requests"));
        Assert.Equal(new MediaStateChanged(calm.SelfId, true, true), await flooder.WaitForAsync<MediaStateChanged>("MediaStateChanged", m => m.Id == calm.SelfId));
    }

    [Fact]
    public async Task An_oversized_message_is_refused_and_the_connection_closed_while_others_carry_on()
    {
        var (room, _) = await RoomAsync();
        await using var big = await CallClient.ConnectAsync(app);
        await using var other = await CallClient.ConnectAsync(app);
        await big.JoinAsync(room, "Big");
        await other.JoinAsync(room, "Other");

        await Assert.ThrowsAnyAsync<Exception>(() =>
            big.InvokeAsync("Signal", new SignalRequest(other.SelfId, new SessionDescription("offer", new string('a', 100_000)), null)));
        await other.InvokeAsync("SetMediaState", new SetMediaStateRequest(false, true));
        for (var i = 0; i < 50 && big.Connection.State != Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Disconnected; i++)
            await Task.Delay(100);

        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Disconnected, big.Connection.State);
        Assert.Equal(0, other.Count("Signal"));
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, other.Connection.State);
    }
}
