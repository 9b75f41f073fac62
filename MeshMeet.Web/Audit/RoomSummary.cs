using Marten.Events.Aggregation;

namespace MeshMeet.Web.Audit;

/// <summary>One row of the admin audit list: a room's life in numbers, kept by an inline Marten projection (so it
/// commits with the events it summarises). <c>Id</c> is the room's stream id.</summary>
public sealed record RoomSummary(
    Guid Id, string RoomId, string RoomName, string OwnerId, string OwnerName, DateTimeOffset CreatedAt,
    bool Deleted, DateTimeOffset? DeletedAt, bool Locked, int Present, int TotalJoins, int PeakParticipants,
    int Kicks, int Refusals, DateTimeOffset LastActivity)
{
    // Pure steps, one per event, unit-tested without a database.

    public static RoomSummary Create(RoomCreated e) =>
        new(Guid.Empty, e.RoomId, e.RoomName, e.ActorId, e.ActorName, e.At, false, null, false, 0, 0, 0, 0, 0, e.At);

    public RoomSummary Apply(ParticipantJoined e) =>
        this with { Present = Present + 1, TotalJoins = TotalJoins + 1, PeakParticipants = Math.Max(PeakParticipants, Present + 1), LastActivity = e.At };

    public RoomSummary Apply(ParticipantLeft e) => this with { Present = Math.Max(0, Present - 1), LastActivity = e.At };

    public RoomSummary Apply(ParticipantKicked e) => this with { Present = Math.Max(0, Present - 1), Kicks = Kicks + 1, LastActivity = e.At };

    public RoomSummary Apply(JoinRefused e) => this with { Refusals = Refusals + Math.Max(1, e.Count), LastActivity = e.At };

    public RoomSummary Apply(RoomLocked e) => this with { Locked = true, LastActivity = e.At };

    public RoomSummary Apply(RoomUnlocked e) => this with { Locked = false, LastActivity = e.At };

    /// <summary>Ending a call removes everyone at once.</summary>
    public RoomSummary Apply(RoomEnded e) => this with { Present = 0, LastActivity = e.At };

    public RoomSummary Apply(RoomDeleted e) => this with { Deleted = true, DeletedAt = e.At, Present = 0, LastActivity = e.At };
}

/// <summary>Marten's side of <see cref="RoomSummary"/>: routes each event to its pure step.</summary>
public sealed class RoomSummaryProjection : SingleStreamProjection<RoomSummary, Guid>
{
    public static RoomSummary Create(JasperFx.Events.IEvent<RoomCreated> e) => RoomSummary.Create(e.Data) with { Id = e.StreamId };
    public static RoomSummary Apply(ParticipantJoined e, RoomSummary s) => s.Apply(e);
    public static RoomSummary Apply(ParticipantLeft e, RoomSummary s) => s.Apply(e);
    public static RoomSummary Apply(ParticipantKicked e, RoomSummary s) => s.Apply(e);
    public static RoomSummary Apply(JoinRefused e, RoomSummary s) => s.Apply(e);
    public static RoomSummary Apply(RoomLocked e, RoomSummary s) => s.Apply(e);
    public static RoomSummary Apply(RoomUnlocked e, RoomSummary s) => s.Apply(e);
    public static RoomSummary Apply(RoomEnded e, RoomSummary s) => s.Apply(e);
    public static RoomSummary Apply(RoomDeleted e, RoomSummary s) => s.Apply(e);
}
