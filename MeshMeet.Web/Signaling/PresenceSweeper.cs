using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>Ends the seats of participants who dropped and did not come back within the grace period, records the
/// refused joins that were held back to be recorded together, and reconciles this instance's seats with the database:
/// at once when a seat may have lost its connection or Redis came back (a revocation may have been lost), otherwise
/// every <see cref="SignalingOptions.ReconcileSeconds"/>.</summary>
internal sealed partial class PresenceSweeper(
    IServiceScopeFactory scopes, CallNotifier notifier, SeatRegistry seats, SeatRevoker revoker, InstanceStanding standing, IInstanceNotices instances,
    RefusalTally refusals, TimeProvider clock, IOptions<SignalingOptions> options, ILogger<PresenceSweeper> log) : BackgroundService
{
    private DateTimeOffset _startedAt;
    private readonly LogSampler _unavailable = new(TimeSpan.FromSeconds(30), clock);

    public override Task StartAsync(CancellationToken ct)
    {
        // The seats this process held before a restart are released by InstanceHeartbeat; here the clock starts.
        _startedAt = clock.GetUtcNow();
        return base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        for (var tick = 1L; await timer.WaitForNextTickAsync(stoppingToken); tick++)
        {
            // Reconciling reads every seat of this instance: at once when needed, otherwise now and then.
            var afterRedis = standing.ReconcileDue(out var generation) && instances.LinkUp;
            if (seats.TakeGhostSuspicion() || afterRedis || tick % Math.Max(1, options.Value.ReconcileSeconds) == 0)
            {
                if (await TryAsync(ReconcileAsync, stoppingToken))
                {
                    if (afterRedis) standing.Reconciled(generation);
                }
                else seats.SuspectGhosts(); // the database is still away: look again at the next tick
            }

            await TryAsync(SweepAsync, stoppingToken);
        }
    }

    /// <summary>A database hiccup must not stop the sweeper; the next tick tries again. False if it failed.</summary>
    private async Task<bool> TryAsync(Func<CancellationToken, Task> sweep, CancellationToken ct)
    {
        try
        {
            await sweep(ct);
            return true;
        }
        catch (Exception e) when (DatabaseHealthCheck.IsDatabaseFailure(e))
        {
            if (_unavailable.ShouldLog(out _)) LogSweepUnavailable(DatabaseHealthCheck.Reason(e)); // expected while the database restarts
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSweepFailed(e);
            return false;
        }
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var departures = scope.ServiceProvider.GetRequiredService<Departures>();
        // Right after a (re)start every browser of every call is reconnecting at once, some while this instance is
        // still warming up: no seat expires until they have had RestartGraceSeconds to come back.
        var o = options.Value;
        if (clock.GetUtcNow() >= _startedAt + TimeSpan.FromSeconds(Math.Max(o.RestartGraceSeconds, o.ReconnectGraceSeconds)))
        {
            var departed = await departures.ExpireDisconnectedAsync(TimeSpan.FromSeconds(o.ReconnectGraceSeconds), ct);
            foreach (var d in departed) await notifier.DepartedAsync(d);
        }
        if (refusals.TakeDue(clock.GetUtcNow()) is { Count: > 0 } due) await scope.ServiceProvider.GetRequiredService<Admission>().RecordRefusalsAsync(due, ct);
    }

    /// <summary>Both ways: seats the database gives this instance under a connection that is gone start their grace
    /// period; seats this instance holds that the database no longer gives it are revoked, and what the others were
    /// not told is told now (a kick or a leave whose notices were lost while Redis was away).</summary>
    private async Task ReconcileAsync(CancellationToken ct)
    {
        var local = seats.Seats; // before reading the database: a seat made after the read is not judged by it
        await using var scope = scopes.CreateAsyncScope();
        var departures = scope.ServiceProvider.GetRequiredService<Departures>();
        var held = await departures.HeldHereAsync(ct);
        var reaped = await departures.ReapGhostsAsync(held, seats.IsOpen, ct);
        if (reaped > 0) LogGhostsReaped(reaped);

        var lost = local.Where(s => !held.ContainsKey(s.ConnectionId) && seats.ByConnection(s.ConnectionId) == s).ToList();
        if (lost.Count == 0) return;
        var fates = await departures.FateOfAsync([.. lost.Select(s => (s.RoomId, s.ParticipantId, s.TokenHash))], ct);
        foreach (var seat in lost)
        {
            var fate = fates[seat.ParticipantId];
            LogSeatLost(seat.RoomId, fate);
            switch (fate)
            {
                case SeatFate.Kicked or SeatFate.Left:
                    var kicked = fate == SeatFate.Kicked;
                    await notifier.DepartedAsync(new Departure(seat.RoomId, seat.ParticipantId, new LiveConnection(seat.ParticipantId, seat.ConnectionId, null),
                        kicked ? LeaveReasons.Kicked : LeaveReasons.Left), kicked ? CallNotifier.KickedWords : null);
                    break;
                default:
                    await revoker.RevokeHereAsync(new Revocation(seat.RoomId, seat.ParticipantId, seat.ConnectionId, Bar: false));
                    // Released while this connection was still here: its browser resumes the seat by reconnecting.
                    if (fate == SeatFate.Released) seats.CloseForReconnect(seat.ConnectionId);
                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A seat in room {Room} was no longer this instance's ({Fate}); revoked it here")]
    private partial void LogSeatLost(Guid room, SeatFate fate);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} seats held by closed connections now wait out their grace period")]
    private partial void LogGhostsReaped(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence sweep failed: {Reason}")]
    private partial void LogSweepUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Presence sweep failed")]
    private partial void LogSweepFailed(Exception e);
}
