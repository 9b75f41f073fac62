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
/// </summary>
internal sealed partial class InstanceHeartbeat(
    IServiceScopeFactory scopes, InstanceIdentity identity, SeatRegistry seats, AddressLimits limits, Telemetry.MeshMeetMetrics metrics, TimeProvider clock,
    IOptions<ClusterOptions> options, ILogger<InstanceHeartbeat> log) : BackgroundService
{
    private (long Signals, DateTimeOffset At) _last;

    public override async Task StartAsync(CancellationToken ct)
    {
        // Registered before anything is released, so no other instance mistakes this one for dead.
        await WithDatabase(async (db, departures) =>
        {
            var now = await DatabaseNowAsync(db, ct);
            _last = (metrics.SignalsRelayed, clock.GetUtcNow());
            db.Instances.Add(new ServerInstance { Id = identity.Id, StartedAt = now, HeartbeatAt = now });
            await db.SaveChangesAsync(ct);
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
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogBeatFailed(e); // the next tick tries again
            }
        }
    }

    private async Task BeatAsync(MeshMeetDb db, Departures departures)
    {
        var now = await DatabaseNowAsync(db);
        var signals = metrics.SignalsRelayed;
        var localNow = clock.GetUtcNow();
        var perSecond = Math.Round((signals - _last.Signals) / Math.Max(0.001, (localNow - _last.At).TotalSeconds), 1);
        _last = (signals, localNow);
        var connections = seats.OpenCount;
        if (await db.Instances.Where(i => i.Id == identity.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.HeartbeatAt, now)
                .SetProperty(i => i.Connections, connections).SetProperty(i => i.SignalsPerSecond, perSecond)) == 0)
        {
            // Others declared this instance dead (it was cut off longer than the timeout) and released its seats. Its
            // connections are closed so that their browsers resume their seats, here or elsewhere, as after a crash.
            LogDeclaredDead(identity.Id);
            db.Instances.Add(new ServerInstance { Id = identity.Id, StartedAt = now, HeartbeatAt = now });
            await db.SaveChangesAsync();
            seats.AbortAll();
        }
        var released = await ReleaseSilentInstancesAsync(db, departures, now - Timeout);
        if (released > 0) LogReleased(released);
        await CountLiveInstancesAsync(db, now);
    }

    /// <summary>Seats held by instances without a heartbeat since <paramref name="aliveSince"/> (crashed, cut off, or
    /// the process before a restart; also seats from before instances were recorded) get the grace period to be
    /// resumed, and those instances are forgotten. Seats of live instances are not touched.</summary>
    private static async Task<int> ReleaseSilentInstancesAsync(MeshMeetDb db, Departures departures, DateTimeOffset aliveSince, CancellationToken ct = default)
    {
        var released = await departures.ReleaseAsync(db.Participants.Where(p => p.ConnectionId != null
            && !db.Set<ServerInstance>().Any(i => i.Id == p.InstanceId && i.HeartbeatAt >= aliveSince)), ct);
        await db.Instances.Where(i => i.HeartbeatAt < aliveSince).ExecuteDeleteAsync(ct);
        return released;
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
            LogBeatFailed(e); // the others release them once the heartbeat is stale
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance heartbeat failed")]
    private partial void LogBeatFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} was declared dead by the others; closing its connections so their people resume")]
    private partial void LogDeclaredDead(string instance);
}
