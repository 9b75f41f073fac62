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
        Assert.Equal("Only the room's host or a co-host can do that.", ModerationDecider.End(Guest, 2).Refusal);
    }

    [Fact]
    public void Locking_records_the_change_and_nothing_when_there_is_none()
    {
        Assert.Equal(new RoomLocked("pub1", "owner", "Ann", T0), Assert.Single(ModerationDecider.SetLock(Host, true).Events));
        Assert.Equal(new RoomUnlocked("pub1", "owner", "Ann", T0), Assert.Single(ModerationDecider.SetLock(Host with { Locked = true }, false).Events));
        Assert.Empty(ModerationDecider.SetLock(Host, false).Events);
    }

    [Fact]
    public void A_guest_co_host_kicks_and_ends_recorded_as_their_participant_id()
    {
        var cohost = Guest with { CallerIsCohost = true };
        Assert.Equal(new ParticipantKicked("pub1", "p-cy", "Cy", "p-guest", "Bo", T0), Assert.Single(ModerationDecider.Kick(cohost, "p-cy", ("p-cy", "Cy"), false).Events));
        Assert.Equal(new RoomEnded("pub1", "p-guest", "Bo", 2, T0), Assert.Single(ModerationDecider.End(cohost, 2).Events));
        Assert.Equal("The room's owner is always a host.", ModerationDecider.Kick(cohost, "p-host", ("p-host", "Ann"), false, targetIsOwner: true).Refusal);
    }

    [Fact]
    public void The_owner_makes_a_co_host_and_takes_it_back_each_recorded_once()
    {
        Assert.Equal(new CohostGranted("pub1", "p-bo", "Bo", "owner", "Ann", T0), Assert.Single(ModerationDecider.SetCohost(Host, "p-bo", ("p-bo", "Bo", false), true).Events));
        Assert.Empty(ModerationDecider.SetCohost(Host, "p-bo", ("p-bo", "Bo", true), true).Events);
        Assert.Equal(new CohostRevoked("pub1", "p-bo", "Bo", "owner", "Ann", T0), Assert.Single(ModerationDecider.SetCohost(Host, "p-bo", ("p-bo", "Bo", true), false).Events));
        var byCohost = ModerationDecider.SetCohost(Guest with { CallerIsCohost = true }, "p-cy", ("p-cy", "Cy", false), true);
        Assert.Equal("Only the room's owner can make someone co-host.", byCohost.Refusal);
        Assert.Empty(byCohost.Events);
    }

    [Fact]
    public void Ending_records_how_many_were_in_the_call() =>
        Assert.Equal(new RoomEnded("pub1", "owner", "Ann", 3, T0), Assert.Single(ModerationDecider.End(Host, 3).Events));
}
