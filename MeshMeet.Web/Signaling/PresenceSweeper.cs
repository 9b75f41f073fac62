using MeshMeet.Web.Presence;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>Ends the seats of participants who dropped and did not come back within the grace period, and records the
/// refused joins that were held back to be recorded together.</summary>
internal sealed partial class PresenceSweeper(
    IServiceScopeFactory scopes, CallNotifier notifier, SeatRegistry seats, RefusalTally refusals, TimeProvider clock, IOptions<SignalingOptions> options,
    ILogger<PresenceSweeper> log) : BackgroundService
{
    private DateTimeOffset _startedAt;

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
            // Looking for ghosts reads every connected seat: at once when one is suspected, otherwise now and then.
            if ((seats.TakeGhostSuspicion() || tick % Math.Max(1, options.Value.GhostSweepSeconds) == 0)
                && !await TryAsync(ReapGhostsAsync, stoppingToken))
                seats.SuspectGhosts(); // the database is still away: look again at the next tick

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

    private async Task ReapGhostsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var reaped = await scope.ServiceProvider.GetRequiredService<Departures>().ReapGhostsAsync(seats.IsOpen, ct);
        if (reaped > 0) LogGhostsReaped(reaped);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} seats held by closed connections now wait out their grace period")]
    private partial void LogGhostsReaped(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence sweep failed")]
    private partial void LogSweepFailed(Exception e);
}
