using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Tests.Signaling;

/// <summary>The relay decides routes from memory; these check that no promise moved with it.</summary>
[Collection(AppCollection.Name)]
public sealed class RelayTests(MeshMeetApp app)
{
    private static IceCandidate Candidate(int n) => new($"candidate:{n} 1 udp 1 127.0.0.1 5000 typ host", "0", 0, "u");

    private async Task<(string RoomId, string HostToken)> RoomAsync()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        return (await app.CreateRoomAsync(token, "Relay room"), token);
    }

    /// <summary>Signals from <paramref name="from"/> to <paramref name="to"/> as fast as the hub takes them, until refused.</summary>
    private static async Task<string> FloodUntilRefusedAsync(CallClient from, string to)
    {
        for (var n = 0; ; n++)
        {
            try { await from.InvokeAsync("Signal", new SignalRequest(to, null, Candidate(n))); }
            catch (HubException e) when (CallClient.Reason(e).StartsWith("Too many requests")) { await Task.Delay(50); }
            catch (HubException e) { return CallClient.Reason(e); }
        }
    }

    /// <summary>True if <paramref name="client"/> received a Signal from <paramref name="sender"/> after the event that matched.</summary>
    private static bool SignalArrivedAfter(CallClient client, string sender, Func<(string Name, object Payload), bool> marker)
    {
        var received = client.Received;
        var at = received.ToList().FindIndex(e => marker(e));
        Assert.True(at >= 0, $"The marker event never arrived: {client.Describe()}");
        return received.Skip(at + 1).Any(e => e.Payload is SignalMessage s && s.From == sender);
    }

    [Fact]
    public async Task Once_a_kick_commits_nothing_the_kicked_connection_sends_reaches_anyone()
    {
        for (var round = 0; round < 5; round++)
        {
            var (room, hostToken) = await RoomAsync();
            await using var host = await CallClient.ConnectAsync(app, hostToken);
            await using var kicked = await CallClient.ConnectAsync(app);
            await using var peer = await CallClient.ConnectAsync(app);
            await host.JoinAsync(room, "Host");
            await kicked.JoinAsync(room, "Kicked");
            await peer.JoinAsync(room, "Peer");

            var flood = FloodUntilRefusedAsync(kicked, peer.SelfId);
            await peer.WaitForAsync<SignalMessage>("Signal", s => s.From == kicked.SelfId);
            await host.InvokeAsync("KickParticipant", new KickParticipantRequest(kicked.SelfId));
            var refusal = await flood;
            await peer.WaitForAsync<PeerLeft>("PeerLeft");
            await peer.BarrierAsync();

            Assert.Equal(JoinRules.NotInRoom, refusal);
            Assert.Equal(new Kicked(CallNotifier.KickedWords), await kicked.WaitForAsync<Kicked>("Kicked"));
            Assert.False(SignalArrivedAfter(peer, kicked.SelfId, e => e.Payload is PeerLeft l && l.Id == kicked.SelfId));
            Assert.False(SignalArrivedAfter(kicked, peer.SelfId, e => e.Name == "Kicked"));
        }
    }

    [Fact]
    public async Task Once_the_host_ends_the_call_no_signal_reaches_anyone()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, hostToken);
        await using var a = await CallClient.ConnectAsync(app);
        await using var b = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await a.JoinAsync(room, "A");
        await b.JoinAsync(room, "B");

        var floodA = FloodUntilRefusedAsync(a, b.SelfId);
        var floodB = FloodUntilRefusedAsync(b, a.SelfId);
        await b.WaitForAsync<SignalMessage>("Signal");
        await host.InvokeAsync("EndRoom", new EndRoomRequest());
        await Task.WhenAll(floodA, floodB);
        await a.BarrierAsync();
        await b.BarrierAsync();

        Assert.False(SignalArrivedAfter(b, a.SelfId, e => e.Name == "RoomClosed"));
        Assert.False(SignalArrivedAfter(a, b.SelfId, e => e.Name == "RoomClosed"));
    }

    [Fact]
    public async Task A_signal_after_leaving_is_refused_and_reaches_nobody()
    {
        var (room, _) = await RoomAsync();
        await using var a = await CallClient.ConnectAsync(app);
        await using var b = await CallClient.ConnectAsync(app);
        await a.JoinAsync(room, "A");
        await b.JoinAsync(room, "B");

        await a.InvokeAsync("LeaveRoom", new LeaveRoomRequest());
        var error = await Assert.ThrowsAsync<HubException>(() => a.InvokeAsync("Signal", new SignalRequest(b.SelfId, null, Candidate(1))));
        await b.BarrierAsync();

        Assert.Equal(JoinRules.NotInRoom, CallClient.Reason(error));
        Assert.Equal(0, b.Count("Signal"));
    }

    [Fact]
    public async Task Six_people_leaving_one_room_at_the_same_instant_all_succeed_and_each_is_recorded_once()
    {
        for (var round = 0; round < 10; round++)
        {
            var (room, hostToken) = await RoomAsync();
            var people = new List<CallClient> { await CallClient.ConnectAsync(app, hostToken) };
            for (var i = 1; i < 6; i++) people.Add(await CallClient.ConnectAsync(app));
            try
            {
                foreach (var (p, i) in people.Select((p, i) => (p, i))) await p.JoinAsync(room, $"P{i}");

                using var start = new Barrier(6);
                var leaves = await Task.WhenAll(people.Select(p => Task.Run(async () =>
                {
                    start.SignalAndWait();
                    try { await p.InvokeAsync("LeaveRoom", new LeaveRoomRequest()); return ""; }
                    catch (Exception e) { return e.Message; }
                })));

                Assert.All(leaves, error => Assert.Equal("", error));
                Assert.Equal(6, await TestDatabase.ScalarAsync<long>(app.ConnectionString,
                    $"""SELECT count(*) FROM {AuditSetup.Schema}.mt_events WHERE type = 'participant_left' AND data->>'RoomId' = '{room}'"""));
                Assert.Equal(0, await TestDatabase.ScalarAsync<long>(app.ConnectionString,
                    $"""SELECT count(*) FROM participants p JOIN rooms r ON r."Id" = p."RoomId" WHERE r."PublicId" = '{room}'"""));
            }
            finally
            {
                foreach (var p in people) await p.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Readable_refusals_and_calls_cut_short_by_a_closing_connection_log_no_errors()
    {
        var before = app.Logs.Errors.Count;
        var (room, _) = await RoomAsync();
        var clients = new List<CallClient>();
        try
        {
            for (var i = 0; i < 7; i++) clients.Add(await CallClient.ConnectAsync(app));
            for (var i = 0; i < 5; i++) await clients[i].JoinAsync(room, $"P{i}");
            // The full room (guests keep one seat free for the host), an unknown room, a bad name, a stranger's signal.
            await Assert.ThrowsAsync<HubException>(() => clients[5].JoinAsync(room, "Sixth"));
            await Assert.ThrowsAsync<HubException>(() => clients[5].JoinAsync("AAAAAAAAAAAAAAAAAAAAAA", "Lost"));
            await Assert.ThrowsAsync<HubException>(() => clients[5].JoinAsync(room, ""));
            await Assert.ThrowsAsync<HubException>(() => clients[5].InvokeAsync("Signal", new SignalRequest(clients[0].SelfId, null, Candidate(1))));
            // Joins whose connection goes away while the database works on them.
            var cut = Enumerable.Range(0, 5).Select(_ => CallClient.ConnectAsync(app)).ToList();
            foreach (var c in await Task.WhenAll(cut))
            {
                _ = c.JoinAsync(room, "Gone").ContinueWith(t => t.Exception, TaskScheduler.Default);
                await c.DisposeAsync();
            }
            await Task.Delay(500);

            Assert.Empty(app.Logs.Errors.Skip(before));
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }
}

/// <summary>A kick sticks: the connection, the reconnect token and the browser are all refused afterwards.</summary>
[Collection(AppCollection.Name)]
public sealed class KickSticksTests(MeshMeetApp app)
{
    [Fact]
    public async Task After_a_kick_neither_the_connection_nor_its_token_nor_its_browser_gets_back_in()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(token, "Sticky");
        var cookie = await app.BrowserCookieAsync(room);
        await using var host = await CallClient.ConnectAsync(app, token);
        await using var kicked = await CallClient.ConnectAsync(app, cookie: cookie);
        await host.JoinAsync(room, "Host");
        var first = await kicked.JoinAsync(room, "Mallory");

        await host.InvokeAsync("KickParticipant", new KickParticipantRequest(first.SelfId));
        await kicked.WaitForAsync<Kicked>("Kicked");
        var sameConnection = await Assert.ThrowsAsync<HubException>(() => kicked.JoinAsync(room, "Mallory"));
        await using var withToken = await CallClient.ConnectAsync(app);
        var sameToken = await Assert.ThrowsAsync<HubException>(() => withToken.JoinAsync(room, "Mallory", first.ReconnectToken));
        await using var sameBrowser = await CallClient.ConnectAsync(app, cookie: cookie);
        var noToken = await Assert.ThrowsAsync<HubException>(() => sameBrowser.JoinAsync(room, "Not Mallory"));
        await using var otherBrowser = await CallClient.ConnectAsync(app, cookie: await app.BrowserCookieAsync(room));

        const string barred = "The host removed you from this room, so you cannot rejoin it.";
        Assert.Equal(barred, CallClient.Reason(sameConnection));
        Assert.Equal(barred, CallClient.Reason(sameToken));
        Assert.Equal(barred, CallClient.Reason(noToken));
        Assert.False((await otherBrowser.JoinAsync(room, "Someone else")).Resumed); // other people still get in
    }
}

/// <summary>Seats that outlive their connection (issue: a failed "mark disconnected" held a seat forever).</summary>
[Collection(AppCollection.Name)]
public sealed class GhostSeatTests(MeshMeetApp app)
{
    [Fact]
    public async Task A_seat_whose_drop_could_not_be_written_is_reaped_and_the_others_are_told()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(token, "Ghosts");
        await using var host = await CallClient.ConnectAsync(app, token);
        var guest = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        var guestId = (await guest.JoinAsync(room, "Guest")).SelfId;

        // The database refuses to clear this seat's connection, as a hiccup at the moment of the drop would.
        await TestDatabase.ExecuteAsync(app.ConnectionString, $$"""
            CREATE FUNCTION refuse_disconnect() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              IF NEW."ConnectionId" IS NULL AND OLD."Id" = '{{guestId}}' THEN RAISE EXCEPTION 'simulated outage'; END IF;
              RETURN NEW;
            END $f$;
            CREATE TRIGGER refuse_disconnect BEFORE UPDATE ON participants FOR EACH ROW EXECUTE FUNCTION refuse_disconnect();
            """);
        try
        {
            await guest.DisposeAsync();
            await Task.Delay(2500); // the drop's write and a ghost sweep or two fail
            Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(app.ConnectionString,
                $"SELECT count(*) FROM participants WHERE \"Id\" = '{guestId}' AND \"ConnectionId\" IS NOT NULL"));
            Assert.Empty(host.Events<PeerLeft>("PeerLeft"));
        }
        finally
        {
            await TestDatabase.ExecuteAsync(app.ConnectionString, "DROP TRIGGER refuse_disconnect ON participants; DROP FUNCTION refuse_disconnect();");
        }

        // The database is back: the ghost sweep starts the seat's grace period, and when it runs out the host hears.
        var left = await host.WaitForAsync<PeerLeft>("PeerLeft", p => p.Id == guestId, timeoutMs: 10000);
        Assert.Equal(LeaveReasons.Disconnected, left.Reason);
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(app.ConnectionString, $"SELECT count(*) FROM participants WHERE \"Id\" = '{guestId}'"));
    }
}
