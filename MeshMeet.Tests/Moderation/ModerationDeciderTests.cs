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

    private static readonly Knocker Cy = new("k-cy", "Cy", T0);
    private static readonly Knocker Di = new("k-di", "Di", T0);

    [Fact]
    public void Admitting_records_each_guest_let_in_and_only_as_many_as_fit()
    {
        Assert.Equal([new GuestAdmitted("pub1", "k-cy", "Cy", "owner", "Ann", T0), new GuestAdmitted("pub1", "k-di", "Di", "owner", "Ann", T0)],
            ModerationDecider.Admit(Host, [Cy, Di], seatsLeft: 2).Events);
        Assert.Equal("Only 1 more can join this room now: let people in one at a time.", ModerationDecider.Admit(Host, [Cy, Di], 1).Refusal);
        Assert.Equal("The room is full. Let them in when someone leaves.", ModerationDecider.Admit(Host, [Cy], 0).Refusal);
        Assert.Equal("That person is no longer waiting.", ModerationDecider.Admit(Host, [], 3).Refusal);
        Assert.Equal("Only the room's host or a co-host can do that.", ModerationDecider.Admit(Guest, [Cy], 3).Refusal);
        Assert.Single(ModerationDecider.Admit(Guest with { CallerIsCohost = true }, [Cy], 3).Events);
    }

    [Fact]
    public void Denying_records_the_words_the_guest_reads()
    {
        Assert.Equal(new GuestDenied("pub1", "k-cy", "Cy", "The host didn't let you in.", "owner", "Ann", T0), Assert.Single(ModerationDecider.Deny(Host, Cy, "  ").Events));
        Assert.Equal("Team only.", ((GuestDenied)ModerationDecider.Deny(Host, Cy, " Team only. ").Events[0]).Reason);
        Assert.Equal("The reason must not contain control characters.", ModerationDecider.Deny(Host, Cy, "a\u0007b").Refusal);
        Assert.Equal("That person is no longer waiting.", ModerationDecider.Deny(Host, null, null).Refusal);
    }

    private static MuteTarget Target(string id, bool owner = false, bool cohost = false, bool audioMuted = false, bool held = false) =>
        new(id, id.ToUpperInvariant(), owner, cohost, audioMuted, false, held, false);

    [Fact]
    public void A_mute_is_recorded_with_its_kind_and_whether_it_holds_and_not_again_when_it_already_is_so()
    {
        Assert.Equal(new ParticipantMutedByHost("pub1", "bo", "BO", "audio", true, "owner", "Ann", T0),
            Assert.Single(ModerationDecider.Mute(Host, "bo", Target("bo"), "audio", askToUnmute: true).Events));
        Assert.Empty(ModerationDecider.Mute(Host, "bo", Target("bo", audioMuted: true, held: true), "audio", true).Events);
        Assert.Single(ModerationDecider.Mute(Host, "bo", Target("bo", audioMuted: true), "audio", true).Events); // now held
        Assert.Equal("The room's owner is always a host.",
            ModerationDecider.Mute(Guest with { CallerIsCohost = true }, "owner-p", Target("owner-p", owner: true), "audio", false).Refusal);
        Assert.Equal("That participant is not in this room.", ModerationDecider.Mute(Host, "gone", null, "video", false).Refusal);
    }

    [Fact]
    public void Mute_everyone_spares_the_owner_the_co_hosts_and_the_caller()
    {
        var seated = new[] { Target("p-host", owner: true), Target("co", cohost: true), Target("bo"), Target("cy", audioMuted: true) };
        Assert.Equal(["bo"], ModerationDecider.MuteAll(Host, seated, false).Events.Cast<ParticipantMutedByHost>().Select(e => e.ParticipantId));
        Assert.Equal(["bo", "cy"], ModerationDecider.MuteAll(Host, seated, true).Events.Cast<ParticipantMutedByHost>().Select(e => e.ParticipantId));
    }
}
