using System.Diagnostics;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MeshMeet.Tests.Signaling;

public sealed class RefusalTallyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
    private static JoinRefused Refused(string name, int second) => new("room", name, "full", "guest", T0.AddSeconds(second));

    [Fact]
    public void The_first_refusal_is_recorded_at_once_and_the_rest_of_the_minute_as_one_event()
    {
        var tally = new RefusalTally(TimeSpan.FromMinutes(1));
        var room = Guid.NewGuid();
        Assert.True(tally.ShouldRecord(room, Refused("first", 0)));
        for (var i = 1; i <= 12; i++) Assert.False(tally.ShouldRecord(room, Refused($"n{i}", i)));
        Assert.Empty(tally.TakeDue(T0.AddSeconds(59)));

        var due = Assert.Single(tally.TakeDue(T0.AddSeconds(60)));
        Assert.Equal(room, due.RoomId);
        Assert.Equal(12, due.Summary.Count);
        Assert.Equal("n12", due.Summary.DisplayName);
        Assert.Equal(T0.AddSeconds(60), due.Summary.At);
        Assert.True(tally.ShouldRecord(room, Refused("later", 61))); // a new window starts with a recorded refusal
    }

    [Fact]
    public void A_lone_refusal_leaves_nothing_behind_and_rooms_are_counted_apart()
    {
        var tally = new RefusalTally(TimeSpan.FromMinutes(1));
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        Assert.True(tally.ShouldRecord(a, Refused("a", 0)));
        Assert.True(tally.ShouldRecord(b, Refused("b", 1)));
        Assert.False(tally.ShouldRecord(b, Refused("b2", 2)));
        var due = tally.TakeDue(T0.AddMinutes(5));
        Assert.Equal(b, Assert.Single(due).RoomId);
        Assert.True(tally.ShouldRecord(a, Refused("a", 400)));
    }

    [Fact]
    public void A_refusal_after_the_window_but_before_the_flush_joins_the_pending_summary()
    {
        var tally = new RefusalTally(TimeSpan.FromMinutes(1));
        var room = Guid.NewGuid();
        tally.ShouldRecord(room, Refused("first", 0));
        tally.ShouldRecord(room, Refused("second", 30));
        Assert.False(tally.ShouldRecord(room, Refused("third", 70)));
        Assert.Equal(2, Assert.Single(tally.TakeDue(T0.AddSeconds(71))).Summary.Count);
    }
}

/// <summary>The app with the shipped per-address limits (the shared test app lifts them: all tests are 127.0.0.1).</summary>
public sealed class DefaultLimitsApp : MeshMeetApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Signaling:PerAddress:Connections"] = "100",
        ["Signaling:PerAddress:JoinBurst"] = "120",
        ["Signaling:PerAddress:NegotiateBurst"] = "200",
        ["Signaling:RefusalWindowSeconds"] = "2",
        ["Signaling:RejoinBurst"] = "10",
        // One instance: its heartbeat would count itself alone every few seconds, and a test here plays a cluster of two.
        ["Cluster:HeartbeatSeconds"] = "3600",
    };
}

public sealed class AddressLimitTests(DefaultLimitsApp app, ITestOutputHelper output) : IClassFixture<DefaultLimitsApp>
{
    private const string Attacker = "203.0.113.66";

    [Fact]
    public async Task Three_hundred_sockets_from_one_address_do_not_keep_a_real_pair_out()
    {
        var hostToken = await app.TokenAsync(await app.CreateHostAsync());
        var realRoom = await app.CreateRoomAsync(hostToken, "Real call");
        var fullRoom = await app.CreateRoomAsync(await app.TokenAsync(await app.CreateHostAsync()), "Bait", capacity: 2);

        // 300 sockets at once from one address: negotiate and connect are limited before the hub sees them.
        var attempts = await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
        {
            try { return await CallClient.ConnectAsync(app, forwardedFor: Attacker); }
            catch (Exception e) when (e.ToString().Contains("429")) { return null; } // negotiate or the WebSocket upgrade
        }));
        var attackers = attempts.OfType<CallClient>().ToList();
        output.WriteLine($"attacker connections accepted: {attackers.Count} of 300");
        Assert.InRange(attackers.Count, 1, 100);

        // Every accepted socket hammers the calls that cost the database: joins to a full room and to unknown rooms.
        using var stop = new CancellationTokenSource();
        var refusals = new System.Collections.Concurrent.ConcurrentBag<string>();
        var flood = attackers.Select((c, i) => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try { await c.JoinAsync(n % 2 == 0 ? fullRoom : "AAAAAAAAAAAAAAAAAAAAA" + (i % 10), "Flood"); }
                catch (HubException e) { refusals.Add(CallClient.Reason(e)); }
                catch (Exception) { return; }
            }
        })).ToList();
        await Task.Delay(1000);

        // The real pair, from their own addresses, while the flood goes on.
        await using var host = await CallClient.ConnectAsync(app, hostToken, forwardedFor: "198.51.100.1");
        await using var guest = await CallClient.ConnectAsync(app, forwardedFor: "198.51.100.2");
        var clock = Stopwatch.StartNew();
        await host.JoinAsync(realRoom, "Host");
        var hostJoinMs = clock.ElapsedMilliseconds;
        clock.Restart();
        await guest.JoinAsync(realRoom, "Guest");
        var guestJoinMs = clock.ElapsedMilliseconds;
        await guest.InvokeAsync("Signal", new SignalRequest(host.SelfId, new SessionDescription("offer", "v=0"), null));
        await host.WaitForAsync<SignalMessage>("Signal", s => s.From == guest.SelfId);
        using var http = app.NewClient();
        var health = await http.GetAsync("/health");
        output.WriteLine($"real pair join latency under the flood: host {hostJoinMs} ms, guest {guestJoinMs} ms; /health {(int)health.StatusCode}");

        stop.Cancel();
        await Task.WhenAll(flood);
        output.WriteLine($"attacker refusals: {refusals.Count}, of which per-address: {refusals.Count(r => r == HubRateLimitFilter.TooManyFromAddress)}");
        foreach (var c in attackers) await c.DisposeAsync();

        Assert.True(health.IsSuccessStatusCode);
        Assert.InRange(hostJoinMs, 0, 2000);
        Assert.InRange(guestJoinMs, 0, 2000);
        Assert.Contains(HubRateLimitFilter.TooManyFromAddress, refusals);
        // The bait room's refusals are bounded in the audit log: the first at once, the rest as one event per window.
        await Task.Delay(3500);
        var events = await TestDatabase.ScalarAsync<long>(app.ConnectionString,
            $"SELECT count(*) FROM {AuditSetup.Schema}.mt_events e JOIN rooms r ON r.\"Id\" = e.stream_id WHERE r.\"PublicId\" = '{fullRoom}' AND e.type = 'join_refused'");
        var counted = await TestDatabase.ScalarAsync<long>(app.ConnectionString,
            $"SELECT coalesce(sum((e.data->>'Count')::int), 0) FROM {AuditSetup.Schema}.mt_events e JOIN rooms r ON r.\"Id\" = e.stream_id WHERE r.\"PublicId\" = '{fullRoom}' AND e.type = 'join_refused'");
        output.WriteLine($"bait room: {events} JoinRefused events standing for {counted} refusals");
        Assert.InRange(events, 1, 4);
        Assert.True(counted > events, "the aggregated event counts the refusals it stands for");
    }

    [Theory]
    [InlineData(100, 1, 100)]
    [InlineData(100, 2, 50)]
    [InlineData(100, 3, 34)]
    [InlineData(1, 4, 1)]
    public void Each_of_several_instances_allows_its_share_of_a_limit(int limit, int instances, int share) =>
        Assert.Equal(share, AddressLimits.Share(limit, instances));

    [Fact]
    public async Task With_two_instances_alive_an_address_gets_half_of_its_connections_here()
    {
        var limits = app.Services.GetRequiredService<AddressLimits>();
        var accepted = new List<CallClient>();
        limits.SetLiveInstances(2); // as the cluster's heartbeat says when another instance serves the same database
        try
        {
            for (var n = 0; n < 60; n++)
            {
                try { accepted.Add(await CallClient.ConnectAsync(app, forwardedFor: "203.0.113.77")); }
                catch (Exception e) when (e.ToString().Contains("429")) { break; }
            }
            Assert.Equal(50, accepted.Count); // Signaling:PerAddress:Connections is 100 for the cluster as a whole
        }
        finally
        {
            limits.SetLiveInstances(1);
            foreach (var client in accepted) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_guest_looping_join_and_leave_is_stopped_and_never_uses_up_the_others_allowance()
    {
        var hostToken = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(hostToken, "Churn");
        await using var host = await CallClient.ConnectAsync(app, hostToken, forwardedFor: "198.51.100.31");
        await using var stable = await CallClient.ConnectAsync(app, forwardedFor: "198.51.100.32");
        await using var churner = await CallClient.ConnectAsync(app, forwardedFor: "198.51.100.33");
        await host.JoinAsync(room, "Host");
        var stableId = (await stable.JoinAsync(room, "Stable")).SelfId;

        // Each time the churner comes in, the host does what a browser does for a newcomer: an offer and 21 candidates.
        var joins = 0;
        string? stopped = null;
        var hostRefusals = new List<string>();
        for (var loop = 0; loop < 25 && stopped is null; loop++)
        {
            try { await churner.JoinAsync(room, "Churner"); joins++; }
            catch (HubException e) { stopped = CallClient.Reason(e); break; }
            for (var n = 0; n < 22; n++)
            {
                try { await host.InvokeAsync("Signal", new SignalRequest(churner.SelfId, null, new IceCandidate($"candidate:{n}", "0", 0, "u"))); }
                catch (HubException e) { hostRefusals.Add(CallClient.Reason(e)); }
            }
            await churner.InvokeAsync("LeaveRoom", new LeaveRoomRequest());
        }
        output.WriteLine($"churner admitted {joins} times, then: {stopped}; host's signals refused: {hostRefusals.Count}");

        Assert.Equal(JoinRules.RejoiningTooOften, stopped);
        Assert.InRange(joins, 10, 12); // the burst, and at most a refill or two while the test runs
        Assert.Empty(hostRefusals);
        // And what the host sends to the person who stayed is untouched by all of it.
        for (var n = 0; n < 50; n++) await host.InvokeAsync("Signal", new SignalRequest(stableId, null, new IceCandidate($"candidate:{n}", "0", 0, "u")));
        await stable.WaitForAsync<SignalMessage>("Signal", m => m.Candidate?.Candidate == "candidate:49");
    }
}
