using JasperFx.Events;

namespace MeshMeet.Web.Audit;

/// <summary>One kind of audit event and everything derived from it: its name (the admin filter and the CSV say it),
/// the readable row, and its step in the room summary.</summary>
public sealed record AuditEventKind(Type Type, Func<IEvent, string, AuditEntry> Row, Func<RoomSummary?, IRoomEvent, RoomSummary?> Summarise)
{
    public string Name => Type.Name;
}

/// <summary>
/// The audit log's vocabulary in one list: Marten's event types, the admin filter's kinds, the rows of the admin pages
/// and the CSV export, and the room summary's steps all come from here, so a new event type is one entry.
/// </summary>
public static class AuditCatalogue
{
    public static readonly IReadOnlyList<AuditEventKind> Kinds =
    [
        Kind<RoomCreated>((e, x, _) => Row(e, x, x.RoomName, Who(x.ActorName, x.ActorId), "", $"capacity {x.Capacity}"),
            (_, x) => RoomSummary.StartedBy(x)),
        Kind<ParticipantJoined>((e, x, room) => Row(e, x, room, Who(x.DisplayName, x.ActorId), Who(x.DisplayName, x.ParticipantId), x.IsHost ? "host" : "guest"),
            (s, x) => s.After(x)),
        Kind<ParticipantLeft>((e, x, room) => Row(e, x, room, Who(x.DisplayName, x.ActorId), Who(x.DisplayName, x.ParticipantId), x.Reason),
            (s, x) => s.After(x)),
        Kind<ParticipantKicked>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), Who(x.DisplayName, x.ParticipantId), ""),
            (s, x) => s.After(x)),
        Kind<JoinRefused>((e, x, room) => Row(e, x, room, x.ActorId, x.DisplayName, x.Count > 1 ? $"{x.Reason} ({x.Count} refused, the last as shown)" : x.Reason),
            (s, x) => s.After(x)),
        Kind<RoomLocked>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), "", ""), (s, x) => s.After(x)),
        Kind<RoomUnlocked>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), "", ""), (s, x) => s.After(x)),
        Kind<CohostGranted>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), Who(x.DisplayName, x.ParticipantId), ""),
            (s, x) => s with { LastActivity = x.At }),
        Kind<CohostRevoked>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), Who(x.DisplayName, x.ParticipantId), ""),
            (s, x) => s with { LastActivity = x.At }),
        Kind<GuestAdmitted>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), x.DisplayName, "from the lobby"),
            (s, x) => s with { LastActivity = x.At }),
        Kind<GuestDenied>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), x.DisplayName, x.Reason),
            (s, x) => s with { LastActivity = x.At }),
        Kind<ParticipantMutedByHost>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), Who(x.DisplayName, x.ParticipantId),
            (x.Kind == "video" ? "camera" : "microphone") + (x.Held ? ", until allowed" : "")), (s, x) => s with { LastActivity = x.At }),
        Kind<ParticipantAllowedToSpeak>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), Who(x.DisplayName, x.ParticipantId), ""),
            (s, x) => s with { LastActivity = x.At }),
        Kind<RecordingStarted>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), Who(x.DisplayName, x.ParticipantId), ""),
            (s, x) => s with { LastActivity = x.At }),
        Kind<RecordingStopped>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), Who(x.DisplayName, x.ParticipantId), ""),
            (s, x) => s with { LastActivity = x.At }),
        Kind<RoomEnded>((e, x, room) => Row(e, x, room, Who(x.ActorName, x.ActorId), "", $"{x.ParticipantsClosed} in the call"),
            (s, x) => s.After(x)),
        Kind<RoomDeleted>((e, x, _) => Row(e, x, x.RoomName, Who(x.ActorName, x.ActorId), "", ""), (s, x) => s.After(x)),
    ];

    private static readonly Dictionary<Type, AuditEventKind> ByType = Kinds.ToDictionary(k => k.Type);
    private static readonly Dictionary<string, AuditEventKind> ByName = Kinds.ToDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The kind of this name (any case), or null.</summary>
    public static AuditEventKind? Named(string? name) => name is not null && ByName.TryGetValue(name, out var kind) ? kind : null;

    /// <summary>A stored event as a readable row; null for anything that is not an audit event.</summary>
    public static AuditEntry? Entry(IEvent e, string roomName) => ByType.TryGetValue(e.Data.GetType(), out var kind) ? kind.Row(e, roomName) : null;

    /// <summary>The room summary after one more event of its stream (unchanged by anything that is not an audit event;
    /// null until the room's creation).</summary>
    public static RoomSummary? Summarise(RoomSummary? summary, object data) =>
        data is IRoomEvent x && ByType.TryGetValue(data.GetType(), out var kind) ? kind.Summarise(summary, x) : summary;

    /// <param name="row">The row, given the stored event, the event and the room's name as the summary knows it.</param>
    /// <param name="summarise">The summary step; a step on a room without a summary (no RoomCreated) is skipped.</param>
    private static AuditEventKind Kind<T>(Func<IEvent, T, string, AuditEntry> row, Func<RoomSummary, T, RoomSummary> summarise) where T : IRoomEvent =>
        new(typeof(T), (e, room) => row(e, (T)e.Data, room), (s, x) => typeof(T) == typeof(RoomCreated) || s is not null ? summarise(s!, (T)x) : null);

    private static AuditEntry Row(IEvent e, IRoomEvent x, string roomName, string actor, string participant, string details) =>
        new(e.Sequence, x.At, x.RoomId, roomName, x.GetType().Name, actor, participant, details);

    private static string Who(string name, string id) => string.IsNullOrEmpty(name) ? id : $"{name} ({id})";
}
