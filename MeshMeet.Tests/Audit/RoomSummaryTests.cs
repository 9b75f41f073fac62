using MeshMeet.Web.Audit;

namespace MeshMeet.Tests.Audit;

public sealed class RoomSummaryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly RoomSummary Created = RoomSummary.StartedBy(new RoomCreated("r1", "Retro", 6, "u1", "ann@x", T0));

    private static ParticipantJoined Join(string p, int minute) => new("r1", p, p, false, p, T0.AddMinutes(minute));

    [Fact]
    public void A_new_room_is_empty_and_owned_by_its_creator()
    {
        Assert.Equal(("r1", "Retro", "u1", "ann@x", 0, 0), (Created.RoomId, Created.RoomName, Created.OwnerId, Created.OwnerName, Created.Present, Created.TotalJoins));
        Assert.Equal(T0, Created.LastActivity);
    }

    [Fact]
    public void Joins_count_and_raise_the_peak_which_leaving_does_not_lower()
    {
        var s = Created.After(Join("a", 1)).After(Join("b", 2)).After(Join("c", 3))
            .After(new ParticipantLeft("r1", "a", "a", "left", "a", T0.AddMinutes(4)))
            .After(Join("d", 5));
        Assert.Equal((4, 3, 3), (s.TotalJoins, s.Present, s.PeakParticipants));
        Assert.Equal(T0.AddMinutes(5), s.LastActivity);
    }

    [Fact]
    public void A_kick_counts_and_frees_the_seat()
    {
        var s = Created.After(Join("a", 1)).After(new ParticipantKicked("r1", "a", "a", "u1", "ann", T0.AddMinutes(2)));
        Assert.Equal((1, 0), (s.Kicks, s.Present));
    }

    [Fact]
    public void Lock_unlock_refusals_end_and_delete_each_leave_their_mark()
    {
        var s = Created.After(Join("a", 1)).After(new RoomLocked("r1", "u1", "ann", T0.AddMinutes(2)));
        Assert.True(s.Locked);
        s = s.After(new JoinRefused("r1", "z", "locked", "guest", T0.AddMinutes(3))).After(new RoomUnlocked("r1", "u1", "ann", T0.AddMinutes(4)));
        Assert.Equal((false, 1), (s.Locked, s.Refusals));
        s = s.After(new RoomEnded("r1", "u1", "ann", 1, T0.AddMinutes(5)));
        Assert.Equal(0, s.Present);
        s = s.After(new RoomDeleted("r1", "Retro", "u1", "ann", T0.AddMinutes(6)));
        Assert.Equal((true, T0.AddMinutes(6)), (s.Deleted, s.DeletedAt));
    }
}
