namespace MeshMeet.Tests.Moderation;

public sealed class ModerationDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
    private static readonly ModerationFacts Host = new("pub1", "owner", false, "p-host", "Ann", "owner", T0);
    private static readonly ModerationFacts Guest = Host with { CallerParticipantId = "p-guest", CallerName = "Bo", ActorId = null };

    [Fact]
    public void The_host_kicks_and_the_kick_is_recorded_with_both_names()
    {
        var d = ModerationDecider.Kick(Host, "p-bo", ("p-bo", "Bo"), lockRoom: false);
        Assert.Null(d.Refusal);
        Assert.Equal(new ParticipantKicked("pub1", "p-bo", "Bo", "owner", "Ann", T0), Assert.Single(d.Events));
    }

    [Fact]
    public void Kick_and_lock_records_the_lock_too_unless_the_room_is_locked_already()
    {
        Assert.Equal([typeof(ParticipantKicked), typeof(RoomLocked)], ModerationDecider.Kick(Host, "p-bo", ("p-bo", "Bo"), true).Events.Select(e => e.GetType()));
        Assert.Single(ModerationDecider.Kick(Host with { Locked = true }, "p-bo", ("p-bo", "Bo"), true).Events);
    }

    [Fact]
    public void Refusals_are_words_and_record_nothing()
    {
        foreach (var d in new[]
                 {
                     ModerationDecider.Kick(Guest, "p-bo", ("p-bo", "Bo"), false),
                     ModerationDecider.Kick(Host, "p-host", ("p-host", "Ann"), false),
                     ModerationDecider.Kick(Host, "p-gone", null, false),
                     ModerationDecider.SetLock(Guest, true),
                     ModerationDecider.End(Host with { CallerParticipantId = null }, 3),
                 })
        {
            Assert.NotEmpty(d.Refusal!);
            Assert.Empty(d.Events);
        }
        Assert.Equal("Only the room's host can do that.", ModerationDecider.End(Guest, 2).Refusal);
    }

    [Fact]
    public void Locking_records_the_change_and_nothing_when_there_is_none()
    {
        Assert.Equal(new RoomLocked("pub1", "owner", "Ann", T0), Assert.Single(ModerationDecider.SetLock(Host, true).Events));
        Assert.Equal(new RoomUnlocked("pub1", "owner", "Ann", T0), Assert.Single(ModerationDecider.SetLock(Host with { Locked = true }, false).Events));
        Assert.Empty(ModerationDecider.SetLock(Host, false).Events);
    }

    [Fact]
    public void Ending_records_how_many_were_in_the_call() =>
        Assert.Equal(new RoomEnded("pub1", "owner", "Ann", 3, T0), Assert.Single(ModerationDecider.End(Host, 3).Events));
}
