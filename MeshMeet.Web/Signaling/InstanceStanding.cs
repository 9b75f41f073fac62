namespace MeshMeet.Web.Signaling;

/// <summary>
/// Whether this instance may act for the seats it holds right now. In a cluster another instance declares this one
/// dead once its heartbeat is older than <c>Cluster:InstanceTimeoutSeconds</c> (it froze, or lost the database) and
/// releases its seats, so that their people resume elsewhere. From that moment this instance must not relay or admit
/// anything for them, and it cannot learn the moment without the database. So it acts only
/// <list type="bullet">
/// <item>while its lease runs: the start of its last heartbeat write that committed, plus the timeout, less a second
/// (the database stamps the heartbeat after the write starts, so no other instance can judge it dead before then), and</item>
/// <item>once it has reconciled its seats with the database after losing Redis: a revocation sent meanwhile is lost,
/// because pub/sub keeps nothing for a subscriber that is away.</item>
/// </list>
/// Out of standing, the hub refuses every method and the hub endpoint answers 503, so the proxy sends browsers to
/// another instance. One instance without Redis has nobody to be judged by: it takes no lease and is always in standing.
/// </summary>
public sealed class InstanceStanding(TimeProvider clock)
{
    private long _leaseEnds = long.MaxValue; // in clock.GetTimestamp() ticks: a monotonic clock, which a freeze does not stop
    private long _suspensions;
    private long _reconciledThrough;

    /// <summary>True while this instance may relay and admit for its seats.</summary>
    public bool InStanding => !ReconcileDue(out _) && clock.GetTimestamp() < Volatile.Read(ref _leaseEnds);

    /// <summary>Why it is out of standing (for the refusal and the log); null when in standing.</summary>
    public string? Problem => ReconcileDue(out _) ? "it is checking its seats after losing Redis"
        : clock.GetTimestamp() >= Volatile.Read(ref _leaseEnds) ? "its heartbeat is overdue (it was frozen or cut off from the database)"
        : null;

    /// <summary>The moment to pass to <see cref="Renew"/> once the heartbeat write that starts now has committed.</summary>
    public long Now() => clock.GetTimestamp();

    /// <summary>A heartbeat write that started at <paramref name="writeStarted"/> committed.</summary>
    public void Renew(long writeStarted, TimeSpan timeout) =>
        Volatile.Write(ref _leaseEnds, writeStarted + (long)((timeout - Margin).TotalSeconds * clock.TimestampFrequency));

    /// <summary>True if the lease ran out before <paramref name="at"/>: others may have judged this instance dead.</summary>
    public bool LapsedBefore(long at) => at >= Volatile.Read(ref _leaseEnds);

    /// <summary>Redis went away: revocations may be lost until the seats have been reconciled.</summary>
    public void Suspend() => Interlocked.Increment(ref _suspensions);

    /// <summary>Is a reconciliation due? <paramref name="generation"/> is what to pass to <see cref="Reconciled"/>
    /// once it is done: a loss of Redis during it makes it due again.</summary>
    public bool ReconcileDue(out long generation)
    {
        generation = Interlocked.Read(ref _suspensions);
        return generation != Interlocked.Read(ref _reconciledThrough);
    }

    public void Reconciled(long generation)
    {
        for (var seen = Interlocked.Read(ref _reconciledThrough); seen < generation;)
        {
            var was = Interlocked.CompareExchange(ref _reconciledThrough, generation, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    /// <summary>Others judge against their own reading of the database's clock: a second in hand.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);
}
