using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Signaling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Cluster;

/// <summary>
/// Keeps this instance's row fresh, and releases the seats of instances that went silent: theirs (and only theirs)
/// start the reconnect grace period, so their people can resume here, and a restart or crash of one instance never
/// evicts the people of another. Every instance watches every other; the work is idempotent. Heartbeats are written
/// and judged by the database's clock, so instances whose own clocks disagree do not take each other for dead.
/// <para>Each heartbeat that commits renews this instance's lease (<see cref="InstanceStanding"/>). An instance that
/// finds its row gone was declared dead while it was frozen or cut off: its seats may already be someone else's, so
/// it drops them all before it serves again, and closes its connections with reconnect allowed, so that their browsers
/// resume as themselves, here or on another instance.</para>
/// </summary>
internal sealed partial class InstanceHeartbeat(
    IServiceScopeFactory scopes, InstanceIdentity identity, SeatRegistry seats, InstanceStanding standing, RedisLink link, AddressLimits limits,
    Telemetry.MeshMeetMetrics metrics, TimeProvider clock, IOptions<ClusterOptions> options, ILogger<InstanceHeartbeat> log) : BackgroundService
{
    private (long Signals, DateTimeOffset At) _last;
    private long? _lastBeat; // when the last heartbeat that committed started (standing.Now() ticks)
    private readonly LogSampler _unavailable = new(TimeSpan.FromSeconds(30), clock);

    public override async Task StartAsync(CancellationToken ct)
    {
        // Registered before anything is released, so no other instance mistakes this one for dead.
        await WithDatabase(async (db, departures) =>
        {
            var started = standing.Now();
            var now = await DatabaseNowAsync(db, ct);
            _last = (metrics.SignalsRelayed, clock.GetUtcNow());
            db.Instances.Add(new ServerInstance { Id = identity.Id, StartedAt = now, HeartbeatAt = now });
            await db.SaveChangesAsync(ct);
            Renewed(started);
            var released = await ReleaseSilentInstancesAsync(db, departures, now - Timeout, ct);
            if (released > 0) LogReleased(released);
            await CountLiveInstancesAsync(db, now, ct);
        });
        LogStarted(identity.Id);
        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.HeartbeatSeconds)), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await WithDatabase(BeatAsync);
            }
            catch (Exception e) when (DatabaseHealthCheck.IsDatabaseFailure(e))
            {
                // Expected while the database restarts: the next tick tries again. One line per outage, not per beat.
                if (_unavailable.ShouldLog(out _)) LogBeatFailed(DatabaseHealthCheck.Reason(e));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogBeatError(e);
            }
        }
    }

    private async Task BeatAsync(MeshMeetDb db, Departures departures)
    {
        var started = standing.Now();
        // In touch with the database without a break since the last beat? If not (it was away, or this process was
        // frozen), the others may have been cut off as well: judge nobody until they have had a timeout to beat again.
        var inTouch = _lastBeat is { } last && !standing.LapsedBefore(started) && started - last < Timeout.TotalSeconds * clock.TimestampFrequency;
        var now = await DatabaseNowAsync(db);
        var signals = metrics.SignalsRelayed;
        var localNow = clock.GetUtcNow();
        var perSecond = Math.Round((signals - _last.Signals) / Math.Max(0.001, (localNow - _last.At).TotalSeconds), 1);
        _last = (signals, localNow);
        var connections = seats.OpenCount;
        if (await db.Instances.Where(i => i.Id == identity.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.HeartbeatAt, now)
                .SetProperty(i => i.Connections, connections).SetProperty(i => i.SignalsPerSecond, perSecond)) == 0)
        {
            await RejoinClusterAsync(db, departures, now);
            return;
        }
        Renewed(started);
        if (!inTouch) return;
        var released = await ReleaseSilentInstancesAsync(db, departures, now - Timeout);
        if (released > 0) LogReleased(released);
        await CountLiveInstancesAsync(db, now);
    }

    /// <summary>Others declared this instance dead and released its seats; some of its people may have resumed
    /// elsewhere already. Nothing is relayed for the old seats (they are dropped first, while the lease is still out),
    /// what is left of them in the database starts its grace period, and every connection is closed with reconnect
    /// allowed: the browsers come back, here or elsewhere, and resume as themselves.</summary>
    private async Task RejoinClusterAsync(MeshMeetDb db, Departures departures, DateTimeOffset now)
    {
        LogDeclaredDead(identity.Id);
        await seats.UnseatAllAsync();
        await departures.ReleaseInstanceAsync(identity.Id);
        db.Instances.Add(new ServerInstance { Id = identity.Id, StartedAt = now, HeartbeatAt = now });
        var started = standing.Now();
        await db.SaveChangesAsync();
        Renewed(started);
        seats.CloseAllForReconnect();
    }

    private void Renewed(long started)
    {
        _lastBeat = started;
        if (link.Clustered) standing.Renew(started, Timeout);
    }

    /// <summary>Instances without a heartbeat since <paramref name="aliveSince"/> (crashed, cut off, or the process
    /// before a restart) are forgotten, and the seats of instances that are not alive (those, and seats from before
    /// instances were recorded) get the grace period to be resumed. The rows go first: an instance whose heartbeat
    /// lands in between finds its row gone and drops its seats itself, so a seat is never released under an instance
    /// that goes on relaying for it.</summary>
    private static async Task<int> ReleaseSilentInstancesAsync(MeshMeetDb db, Departures departures, DateTimeOffset aliveSince, CancellationToken ct = default)
    {
        await db.Instances.Where(i => i.HeartbeatAt < aliveSince).ExecuteDeleteAsync(ct);
        return await departures.ReleaseAsync(db.Participants.Where(p => p.ConnectionId != null
            && !db.Set<ServerInstance>().Any(i => i.Id == p.InstanceId && i.HeartbeatAt >= aliveSince)), ct);
    }

    /// <summary>Per-address limits are shared out among the live instances (see <see cref="AddressLimits"/>).</summary>
    private async Task CountLiveInstancesAsync(MeshMeetDb db, DateTimeOffset now, CancellationToken ct = default) =>
        limits.SetLiveInstances(await db.Instances.CountAsync(i => i.HeartbeatAt >= now - Timeout, ct));

    /// <summary>A clean stop: the seats held here start their grace period now, instead of when the others notice
    /// the silence, and the row goes.</summary>
    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        try
        {
            await WithDatabase(async (db, departures) =>
            {
                await departures.ReleaseInstanceAsync(identity.Id, ct);
                await db.Instances.Where(i => i.Id == identity.Id).ExecuteDeleteAsync(ct);
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogBeatFailed(DatabaseHealthCheck.Reason(e)); // the others release them once the heartbeat is stale
        }
    }

    private TimeSpan Timeout => TimeSpan.FromSeconds(options.Value.InstanceTimeoutSeconds);

    /// <summary>The one clock every instance agrees on.</summary>
    private static Task<DateTimeOffset> DatabaseNowAsync(MeshMeetDb db, CancellationToken ct = default) =>
        db.Database.SqlQuery<DateTimeOffset>($"SELECT now() AS \"Value\"").SingleAsync(ct);

    private async Task WithDatabase(Func<MeshMeetDb, Departures, Task> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<MeshMeetDb>(), scope.ServiceProvider.GetRequiredService<Departures>());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} started")]
    private partial void LogStarted(string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} seats of instances that stopped now wait out their grace period")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance heartbeat failed: {Reason}")]
    private partial void LogBeatFailed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Instance heartbeat failed")]
    private partial void LogBeatError(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} was declared dead by the others (frozen or cut off); dropped its seats and closing its connections so their people resume")]
    private partial void LogDeclaredDead(string instance);
}
