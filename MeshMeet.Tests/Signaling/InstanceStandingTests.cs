using MeshMeet.Web.Signaling;

namespace MeshMeet.Tests.Signaling;

/// <summary>When an instance may act for its seats: within its heartbeat lease, and not between losing Redis and
/// reconciling its seats after it came back.</summary>
public sealed class InstanceStandingTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; } = 1_000_000;
        public override long TimestampFrequency => 1000; // milliseconds
        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void One_instance_without_a_lease_is_always_in_standing()
    {
        var clock = new ManualClock();
        var standing = new InstanceStanding(clock);
        clock.Ticks += 10_000_000;
        Assert.True(standing.InStanding);
        Assert.Null(standing.Problem);
    }

    [Fact]
    public void The_lease_runs_from_the_start_of_the_last_heartbeat_write_for_the_timeout_less_a_second()
    {
        var clock = new ManualClock();
        var standing = new InstanceStanding(clock);
        var started = standing.Now();
        clock.Ticks += 300; // the write took 0.3 s
        standing.Renew(started, TimeSpan.FromSeconds(12));

        clock.Ticks = started + 10_999;
        Assert.True(standing.InStanding);
        Assert.False(standing.LapsedBefore(clock.Ticks));
        clock.Ticks = started + 11_000; // frozen, or the database away, for longer than that
        Assert.False(standing.InStanding);
        Assert.True(standing.LapsedBefore(clock.Ticks));
        Assert.Contains("heartbeat is overdue", standing.Problem);

        standing.Renew(standing.Now(), TimeSpan.FromSeconds(12));
        Assert.True(standing.InStanding);
    }

    [Fact]
    public void Losing_Redis_suspends_until_a_reconciliation_that_began_after_the_last_loss_completes()
    {
        var standing = new InstanceStanding(new ManualClock());
        Assert.False(standing.ReconcileDue(out _));

        standing.Suspend();
        Assert.False(standing.InStanding);
        Assert.Contains("losing Redis", standing.Problem);
        Assert.True(standing.ReconcileDue(out var first));

        standing.Suspend(); // lost again while that reconciliation ran: it does not count
        standing.Reconciled(first);
        Assert.False(standing.InStanding);
        Assert.True(standing.ReconcileDue(out var second));

        standing.Reconciled(second);
        Assert.True(standing.InStanding);
        standing.Reconciled(first); // a late, older one changes nothing
        Assert.True(standing.InStanding);
        Assert.False(standing.ReconcileDue(out _));
    }
}
