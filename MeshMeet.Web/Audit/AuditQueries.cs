using JasperFx.Events;
using Marten;

namespace MeshMeet.Web.Audit;

/// <summary>One event of a room's history, as the admin pages and the CSV export show it.</summary>
public sealed record AuditEntry(long Sequence, DateTimeOffset At, string RoomId, string RoomName, string Event,
    string Actor, string Participant, string Details);

/// <summary>Reads of the audit log. Marten queries live in this file only (their ToListAsync clashes with EF's).</summary>
public sealed class AuditQueries(IQuerySession session)
{
    public Task<RoomSummary?> SummaryAsync(string roomId, CancellationToken ct = default) =>
        session.Query<RoomSummary>().Where(s => s.RoomId == roomId).FirstOrDefaultAsync(ct);

    /// <summary>Every event of a room's stream, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> TimelineAsync(string roomId, CancellationToken ct = default)
    {
        var summary = await SummaryAsync(roomId, ct);
        if (summary is null) return [];
        var events = await session.Events.FetchStreamAsync(summary.Id, token: ct);
        return events.Select(e => AuditFormat.Entry(e, summary.RoomName)).OfType<AuditEntry>().ToList();
    }
}

/// <summary>Turns stored events into readable rows: who did what to whom.</summary>
public static class AuditFormat
{
    public static AuditEntry? Entry(IEvent e, string roomName) => e.Data switch
    {
        RoomCreated x => new(e.Sequence, x.At, x.RoomId, x.RoomName, nameof(RoomCreated), Who(x.ActorName, x.ActorId), "", $"capacity {x.Capacity}"),
        ParticipantJoined x => new(e.Sequence, x.At, x.RoomId, roomName, nameof(ParticipantJoined), Who(x.DisplayName, x.ActorId), Who(x.DisplayName, x.ParticipantId), x.IsHost ? "host" : "guest"),
        ParticipantLeft x => new(e.Sequence, x.At, x.RoomId, roomName, nameof(ParticipantLeft), Who(x.DisplayName, x.ActorId), Who(x.DisplayName, x.ParticipantId), x.Reason),
        ParticipantKicked x => new(e.Sequence, x.At, x.RoomId, roomName, nameof(ParticipantKicked), Who(x.ActorName, x.ActorId), Who(x.DisplayName, x.ParticipantId), ""),
        JoinRefused x => new(e.Sequence, x.At, x.RoomId, roomName, nameof(JoinRefused), x.ActorId, x.DisplayName, x.Reason),
        RoomLocked x => new(e.Sequence, x.At, x.RoomId, roomName, nameof(RoomLocked), Who(x.ActorName, x.ActorId), "", ""),
        RoomUnlocked x => new(e.Sequence, x.At, x.RoomId, roomName, nameof(RoomUnlocked), Who(x.ActorName, x.ActorId), "", ""),
        RoomEnded x => new(e.Sequence, x.At, x.RoomId, roomName, nameof(RoomEnded), Who(x.ActorName, x.ActorId), "", $"{x.ParticipantsClosed} in the call"),
        RoomDeleted x => new(e.Sequence, x.At, x.RoomId, x.RoomName, nameof(RoomDeleted), Who(x.ActorName, x.ActorId), "", ""),
        _ => null,
    };

    private static string Who(string name, string id) => string.IsNullOrEmpty(name) ? id : $"{name} ({id})";
}
