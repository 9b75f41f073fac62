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

    public static RoomSummary StartedBy(RoomCreated e) =>
        new(Guid.Empty, e.RoomId, e.RoomName, e.ActorId, e.ActorName, e.At, false, null, false, 0, 0, 0, 0, 0, e.At);

    public RoomSummary After(ParticipantJoined e) =>
        this with { Present = Present + 1, TotalJoins = TotalJoins + 1, PeakParticipants = Math.Max(PeakParticipants, Present + 1), LastActivity = e.At };

    public RoomSummary After(ParticipantLeft e) => this with { Present = Math.Max(0, Present - 1), LastActivity = e.At };

    public RoomSummary After(ParticipantKicked e) => this with { Present = Math.Max(0, Present - 1), Kicks = Kicks + 1, LastActivity = e.At };

    public RoomSummary After(JoinRefused e) => this with { Refusals = Refusals + Math.Max(1, e.Count), LastActivity = e.At };

    public RoomSummary After(RoomLocked e) => this with { Locked = true, LastActivity = e.At };

    public RoomSummary After(RoomUnlocked e) => this with { Locked = false, LastActivity = e.At };

    /// <summary>Ending a call removes everyone at once.</summary>
    public RoomSummary After(RoomEnded e) => this with { Present = 0, LastActivity = e.At };

    public RoomSummary After(RoomDeleted e) => this with { Deleted = true, DeletedAt = e.At, Present = 0, LastActivity = e.At };
}

/// <summary>Marten's side of <see cref="RoomSummary"/>: each event goes to its step in <see cref="AuditCatalogue"/>.</summary>
public sealed class RoomSummaryProjection : SingleStreamProjection<RoomSummary, Guid>
{
    public RoomSummaryProjection()
    {
        foreach (var kind in AuditCatalogue.Kinds) IncludeType(kind.Type);
    }

    public override RoomSummary? Evolve(RoomSummary? snapshot, Guid id, JasperFx.Events.IEvent e)
    {
        var next = AuditCatalogue.Summarise(snapshot, e.Data);
        return snapshot is null && next is not null ? next with { Id = id } : next;
    }
}
