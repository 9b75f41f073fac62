using MeshMeet.Web.Audit;
using MeshMeet.Web.Presence;

namespace MeshMeet.Web.Moderation;

public enum ModerationVerdict { Allowed, NotInRoom, NotOwner, TargetNotInRoom, CannotKickSelf }

/// <summary>Pure rules for host actions. Being the host means owning the room in the database, nothing else.</summary>
public static class ModerationRules
{
    /// <summary>May the caller (a participant with this user id, or none) moderate a room owned by <paramref name="ownerId"/>?</summary>
    public static ModerationVerdict MayModerate(bool callerInRoom, string? callerUserId, string ownerId) =>
        !callerInRoom ? ModerationVerdict.NotInRoom
        : callerUserId is null || callerUserId != ownerId ? ModerationVerdict.NotOwner
        : ModerationVerdict.Allowed;

    public static ModerationVerdict MayKick(bool callerInRoom, string? callerUserId, string ownerId, string callerId, string? targetId, bool targetInRoom) =>
        MayModerate(callerInRoom, callerUserId, ownerId) switch
        {
            ModerationVerdict.Allowed when targetId == callerId => ModerationVerdict.CannotKickSelf,
            ModerationVerdict.Allowed when !targetInRoom => ModerationVerdict.TargetNotInRoom,
            var verdict => verdict,
        };

    public static string Explain(ModerationVerdict verdict) => verdict switch
    {
        ModerationVerdict.NotInRoom => JoinRules.NotInRoom,
        ModerationVerdict.NotOwner => "Only the room's host can do that.",
        ModerationVerdict.TargetNotInRoom => "That participant is not in this room.",
        ModerationVerdict.CannotKickSelf => "You cannot remove yourself; use Leave.",
        _ => "",
    };
}

/// <summary>What the database says about a host action, read under the room's lock: the room, and the caller as
/// seated in it (null: not seated, or no longer). <c>ActorId</c> is the caller's user id, null for a guest.</summary>
public sealed record ModerationFacts(string RoomPublicId, string OwnerId, bool Locked, string? CallerParticipantId, string? CallerName,
    string? ActorId, DateTimeOffset At);

/// <summary>A host action's outcome: the audit events that record it, or the words that say why not.</summary>
public sealed record ModerationDecision(IReadOnlyList<IRoomEvent> Events, string? Refusal = null)
{
    public static ModerationDecision Refuse(ModerationVerdict verdict) => new([], ModerationRules.Explain(verdict));
}

/// <summary>Kick, lock and end as pure decisions (Helpdesk's <c>Handle(state, command) -> events</c>): the service loads
/// the facts, decides, applies the events to the rows and appends them in the same transaction.</summary>
public static class ModerationDecider
{
    /// <summary>Removes <paramref name="target"/> (id and name; null when not seated in the room) and, if asked, locks the room.</summary>
    public static ModerationDecision Kick(ModerationFacts f, string? targetId, (string Id, string Name)? target, bool lockRoom)
    {
        var verdict = ModerationRules.MayKick(f.CallerParticipantId is not null, f.ActorId, f.OwnerId, f.CallerParticipantId ?? "", targetId, target is not null);
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        var kicked = new ParticipantKicked(f.RoomPublicId, target!.Value.Id, target.Value.Name, f.ActorId!, f.CallerName!, f.At);
        return new(lockRoom && !f.Locked ? [kicked, new RoomLocked(f.RoomPublicId, f.ActorId!, f.CallerName!, f.At)] : [kicked]);
    }

    /// <summary>Locks or unlocks the room; nothing to record when it already is so.</summary>
    public static ModerationDecision SetLock(ModerationFacts f, bool locked)
    {
        var verdict = ModerationRules.MayModerate(f.CallerParticipantId is not null, f.ActorId, f.OwnerId);
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        if (f.Locked == locked) return new([]);
        return new([locked ? new RoomLocked(f.RoomPublicId, f.ActorId!, f.CallerName!, f.At) : new RoomUnlocked(f.RoomPublicId, f.ActorId!, f.CallerName!, f.At)]);
    }

    /// <summary>Ends the call for the <paramref name="present"/> people in it.</summary>
    public static ModerationDecision End(ModerationFacts f, int present)
    {
        var verdict = ModerationRules.MayModerate(f.CallerParticipantId is not null, f.ActorId, f.OwnerId);
        return verdict != ModerationVerdict.Allowed ? ModerationDecision.Refuse(verdict)
            : new([new RoomEnded(f.RoomPublicId, f.ActorId!, f.CallerName!, present, f.At)]);
    }
}
