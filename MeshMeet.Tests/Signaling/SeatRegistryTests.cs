using MeshMeet.Web.Signaling;

namespace MeshMeet.Tests.Signaling;

/// <summary>Which participant this instance can reach directly: the seat it holds now, never a revoked one, and after a
/// resume on the same instance the new connection, whatever order the old one goes in.</summary>
public sealed class SeatRegistryTests
{
    private static readonly Guid Room = Guid.NewGuid();

    [Fact]
    public async Task A_participant_seated_here_is_reached_through_its_seat_until_it_is_unseated()
    {
        var seats = new SeatRegistry();
        seats.Seat("c1", "ann", Room, "Ann", "t", []);
        Assert.Equal("c1", seats.Here(Room, "ann")?.ConnectionId);
        Assert.Null(seats.Here(Room, "ben"));
        Assert.Null(seats.Here(Guid.NewGuid(), "ann")); // the same participant id in another room is someone else

        await seats.UnseatAsync("c1");
        Assert.Null(seats.Here(Room, "ann"));
    }

    [Fact]
    public async Task After_a_resume_on_this_instance_the_new_connection_is_reached_and_the_old_ones_removal_leaves_it()
    {
        var seats = new SeatRegistry();
        seats.Seat("old", "ann", Room, "Ann", "t", []);
        var old = seats.ByConnection("old")!;
        seats.Seat("new", "ann", Room, "Ann", "t", []);
        Assert.Equal("new", seats.Here(Room, "ann")?.ConnectionId);

        await seats.UnseatAsync("old");
        Assert.True(old.Revoked);
        Assert.Equal("new", seats.Here(Room, "ann")?.ConnectionId);
    }

    [Fact]
    public async Task A_revoked_seat_is_not_reached_even_before_it_leaves_the_registry()
    {
        var seats = new SeatRegistry();
        var seat = seats.Seat("c1", "ann", Room, "Ann", "t", []);
        await seat.RevokeAsync();
        Assert.Null(seats.Here(Room, "ann"));
    }
}
