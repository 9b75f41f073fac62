namespace MeshMeet.Web.Infrastructure;

/// <summary>
/// Lets one log entry through per interval and counts the rest, for events an outsider can trigger at will (a bad
/// link tried in a loop must not flood the log).
/// </summary>
public sealed class LogSampler(TimeSpan interval, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private long _nextAt;
    private long _suppressed;

    /// <summary>True when this occurrence should be logged; <paramref name="suppressed"/> is how many were not since.</summary>
    public bool ShouldLog(out long suppressed)
    {
        var now = _clock.GetTimestamp();
        var next = Interlocked.Read(ref _nextAt);
        if (now >= next && Interlocked.CompareExchange(ref _nextAt, now + (long)(interval.TotalSeconds * _clock.TimestampFrequency), next) == next)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }
        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}
