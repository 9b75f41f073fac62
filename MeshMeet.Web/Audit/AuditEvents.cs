namespace MeshMeet.Web.Audit;

// The audit log's vocabulary: one past-tense record per thing that happened to a room, appended to the room's stream
// (stream id = Room.Id). Every event carries the room's public id, who did it (user id or participant id), the
// names as they were at the time, and when. Events are never edited or removed.

/// <summary>Marker for audit events, so projections and exports can treat them alike.</summary>
public interface IRoomEvent
{
    string RoomId { get; }
    string ActorId { get; }
    DateTimeOffset At { get; }
}

public sealed record RoomCreated(string RoomId, string RoomName, int Capacity, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

public sealed record RoomDeleted(string RoomId, string RoomName, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

public sealed record ParticipantJoined(string RoomId, string ParticipantId, string DisplayName, bool IsHost, string ActorId, DateTimeOffset At) : IRoomEvent;

public sealed record ParticipantLeft(string RoomId, string ParticipantId, string DisplayName, string Reason, string ActorId, DateTimeOffset At) : IRoomEvent;

public sealed record ParticipantKicked(string RoomId, string ParticipantId, string DisplayName, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

/// <param name="Count">How many refusals this event stands for: after the first in a minute, a room's refusals are
/// recorded together (<see cref="Signaling.RefusalTally"/>), with the name and actor of the last one.</param>
public sealed record JoinRefused(string RoomId, string DisplayName, string Reason, string ActorId, DateTimeOffset At, int Count = 1) : IRoomEvent;

public sealed record RoomLocked(string RoomId, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

public sealed record RoomUnlocked(string RoomId, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

/// <summary>The owner let a participant moderate this call (kick, lock, end), or took it back.</summary>
public sealed record CohostGranted(string RoomId, string ParticipantId, string DisplayName, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

public sealed record CohostRevoked(string RoomId, string ParticipantId, string DisplayName, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

/// <summary>A host let a guest in from the lobby (<c>KnockId</c>: the knock; the guest's participant id comes with their
/// ParticipantJoined).</summary>
public sealed record GuestAdmitted(string RoomId, string KnockId, string DisplayName, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

/// <summary>A host turned a guest in the lobby away, with the words the guest read.</summary>
public sealed record GuestDenied(string RoomId, string KnockId, string DisplayName, string Reason, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

/// <summary>A host turned someone's microphone (<c>Kind</c> "audio") or camera ("video") off; <c>Held</c>: the room asks
/// to unmute, so it stays off until the host allows it.</summary>
public sealed record ParticipantMutedByHost(string RoomId, string ParticipantId, string DisplayName, string Kind, bool Held, string ActorId,
    string ActorName, DateTimeOffset At) : IRoomEvent;

/// <summary>A host let someone they muted turn their microphone and camera on again.</summary>
public sealed record ParticipantAllowedToSpeak(string RoomId, string ParticipantId, string DisplayName, string ActorId, string ActorName,
    DateTimeOffset At) : IRoomEvent;

/// <summary>A participant started recording the call on their own machine (the room was told first).</summary>
public sealed record RecordingStarted(string RoomId, string ParticipantId, string DisplayName, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

/// <summary>A recording stopped: by its recorder, by a host turning recording off (the actor), or by the recorder leaving.</summary>
public sealed record RecordingStopped(string RoomId, string ParticipantId, string DisplayName, string ActorId, string ActorName, DateTimeOffset At) : IRoomEvent;

public sealed record RoomEnded(string RoomId, string ActorId, string ActorName, int ParticipantsClosed, DateTimeOffset At) : IRoomEvent;
