using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;

namespace MeshMeet.Web.Moderation;

public enum ModerationVerdict { Allowed, NotInRoom, NotOwner, NotRoomOwner, TargetNotInRoom, CannotKickSelf, TargetIsOwner }

/// <summary>Pure rules for host actions. Being the host means owning the room in the database; a co-host is a
/// participant the owner lets moderate this call (a flag on the seat, gone when the call ends).</summary>
public static class ModerationRules
{
    /// <summary>The one rule every host action goes through: may the caller (a participant with this user id, or none;
    /// a co-host of this call or not) moderate a room owned by <paramref name="ownerId"/>?</summary>
    public static ModerationVerdict MayModerate(bool callerInRoom, string? callerUserId, string ownerId, bool callerIsCohost = false) =>
        !callerInRoom ? ModerationVerdict.NotInRoom
        : (callerUserId is not null && callerUserId == ownerId) || callerIsCohost ? ModerationVerdict.Allowed
        : ModerationVerdict.NotOwner;

    /// <summary>Kicks: a moderator removes someone else in the room, never the room's owner.</summary>
    public static ModerationVerdict MayKick(bool callerInRoom, string? callerUserId, string ownerId, string callerId, string? targetId, bool targetInRoom,
        bool callerIsCohost = false, bool targetIsOwner = false) =>
        MayModerate(callerInRoom, callerUserId, ownerId, callerIsCohost) switch
        {
            ModerationVerdict.Allowed when targetId == callerId => ModerationVerdict.CannotKickSelf,
            ModerationVerdict.Allowed when !targetInRoom => ModerationVerdict.TargetNotInRoom,
            ModerationVerdict.Allowed when targetIsOwner => ModerationVerdict.TargetIsOwner,
            var verdict => verdict,
        };

    /// <summary>Making someone co-host, or taking it back: the owner only (a co-host cannot appoint others), for someone
    /// else in the room.</summary>
    public static ModerationVerdict MayAppoint(bool callerInRoom, string? callerUserId, string ownerId, string callerId, string? targetId, bool targetInRoom) =>
        !callerInRoom ? ModerationVerdict.NotInRoom
        : callerUserId is null || callerUserId != ownerId ? ModerationVerdict.NotRoomOwner
        : targetId == callerId ? ModerationVerdict.TargetIsOwner
        : !targetInRoom ? ModerationVerdict.TargetNotInRoom
        : ModerationVerdict.Allowed;

    public static string Explain(ModerationVerdict verdict) => verdict switch
    {
        ModerationVerdict.NotInRoom => JoinRules.NotInRoom,
        ModerationVerdict.NotOwner => "Only the room's host or a co-host can do that.",
        ModerationVerdict.NotRoomOwner => "Only the room's owner can make someone co-host.",
        ModerationVerdict.TargetIsOwner => "The room's owner is always a host.",
        ModerationVerdict.TargetNotInRoom => "That participant is not in this room.",
        ModerationVerdict.CannotKickSelf => "You cannot remove yourself; use Leave.",
        _ => "",
    };
}

/// <summary>What the database says about a host action, read under the room's lock: the room, and the caller as
/// seated in it (null: not seated, or no longer). <c>ActorId</c> is the caller's user id, null for a guest;
/// <c>CallerIsCohost</c>: the owner let the caller moderate this call.</summary>
public sealed record ModerationFacts(string RoomPublicId, string OwnerId, bool Locked, string? CallerParticipantId, string? CallerName,
    string? ActorId, DateTimeOffset At, bool CallerIsCohost = false)
{
    /// <summary>Who did it, for the audit log: the user, or the participant when a guest co-host acts.</summary>
    public string Actor => ActorId ?? CallerParticipantId!;

    public ModerationVerdict MayModerate() => ModerationRules.MayModerate(CallerParticipantId is not null, ActorId, OwnerId, CallerIsCohost);
}

/// <summary>Someone a host may mute, as seated: their microphone and camera, and whether the host holds them off.</summary>
public sealed record MuteTarget(string Id, string Name, bool IsOwner, bool IsCohost, bool AudioMuted, bool VideoMuted, bool AudioHeld, bool VideoHeld);

/// <summary>What a host turns off: MuteParticipant's <c>kind</c>.</summary>
public static class MuteKinds
{
    public const string Audio = "audio";
    public const string Video = "video";
}

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
    /// <param name="targetIsOwner">The target is the room's owner, whom a co-host cannot remove.</param>
    public static ModerationDecision Kick(ModerationFacts f, string? targetId, (string Id, string Name)? target, bool lockRoom, bool targetIsOwner = false)
    {
        var verdict = ModerationRules.MayKick(f.CallerParticipantId is not null, f.ActorId, f.OwnerId, f.CallerParticipantId ?? "", targetId, target is not null,
            f.CallerIsCohost, targetIsOwner);
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        var kicked = new ParticipantKicked(f.RoomPublicId, target!.Value.Id, target.Value.Name, f.Actor, f.CallerName!, f.At);
        return new(lockRoom && !f.Locked ? [kicked, new RoomLocked(f.RoomPublicId, f.Actor, f.CallerName!, f.At)] : [kicked]);
    }

    /// <summary>Makes <paramref name="target"/> co-host for this call, or takes it back; nothing to record when it
    /// already is so.</summary>
    public static ModerationDecision SetCohost(ModerationFacts f, string? targetId, (string Id, string Name, bool Cohost)? target, bool cohost)
    {
        var verdict = ModerationRules.MayAppoint(f.CallerParticipantId is not null, f.ActorId, f.OwnerId, f.CallerParticipantId ?? "", targetId, target is not null);
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        if (target!.Value.Cohost == cohost) return new([]);
        return new([cohost
            ? new CohostGranted(f.RoomPublicId, target.Value.Id, target.Value.Name, f.Actor, f.CallerName!, f.At)
            : new CohostRevoked(f.RoomPublicId, target.Value.Id, target.Value.Name, f.Actor, f.CallerName!, f.At)]);
    }

    /// <summary>Lets waiting guests in (one, or everyone waiting): all of them must fit in the
    /// <paramref name="seatsLeft"/>, the same capacity and owner-seat rule as a join.</summary>
    public static ModerationDecision Admit(ModerationFacts f, IReadOnlyList<Knocker> knocks, int seatsLeft)
    {
        var verdict = f.MayModerate();
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        if (knocks.Count == 0) return new([], NoLongerWaiting);
        if (knocks.Count > seatsLeft)
            return new([], seatsLeft <= 0 ? "The room is full. Let them in when someone leaves."
                : $"Only {seatsLeft} more can join this room now: let people in one at a time.");
        return new(knocks.Select(k => (IRoomEvent)new GuestAdmitted(f.RoomPublicId, k.Id, k.DisplayName, f.Actor, f.CallerName!, f.At)).ToList());
    }

    /// <summary>Turns a waiting guest away, with the words they read (the host's own, or the default).</summary>
    public static ModerationDecision Deny(ModerationFacts f, Knocker? knock, string? reason)
    {
        var verdict = f.MayModerate();
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        if (knock is null) return new([], NoLongerWaiting);
        var (words, error) = reason is null || reason.Trim().Length == 0 ? (LobbyRules.DeniedWords, null) : NameRules.Clean(reason, MaxReasonLength, "The reason");
        if (error is not null) return new([], error);
        return new([new GuestDenied(f.RoomPublicId, knock.Id, knock.DisplayName, words!, f.Actor, f.CallerName!, f.At)]);
    }

    /// <summary>Turns someone's microphone or camera off; held until allowed when the room asks to unmute. Nothing to
    /// record when it already is so.</summary>
    public static ModerationDecision Mute(ModerationFacts f, string? targetId, MuteTarget? target, string? kind, bool askToUnmute)
    {
        if (kind is not (MuteKinds.Audio or MuteKinds.Video)) return new([], "Say what to turn off: audio or video.");
        var verdict = ModerationRules.MayKick(f.CallerParticipantId is not null, f.ActorId, f.OwnerId, f.CallerParticipantId ?? "", targetId,
            target is not null, f.CallerIsCohost, target?.IsOwner ?? false);
        if (verdict == ModerationVerdict.CannotKickSelf) return new([], "Use your own Mute and Stop video buttons.");
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        return new(MuteEvents(f, target!, kind, askToUnmute));
    }

    /// <summary>Mutes every microphone in the call but the moderators' (the owner's, the co-hosts' and the caller's).</summary>
    public static ModerationDecision MuteAll(ModerationFacts f, IReadOnlyList<MuteTarget> seated, bool askToUnmute)
    {
        var verdict = f.MayModerate();
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        return new(seated.Where(t => !t.IsOwner && !t.IsCohost && t.Id != f.CallerParticipantId)
            .SelectMany(t => MuteEvents(f, t, MuteKinds.Audio, askToUnmute)).ToList());
    }

    /// <summary>Lets someone the host muted turn their microphone and camera on again (their raised hand goes down).</summary>
    public static ModerationDecision AllowToSpeak(ModerationFacts f, MuteTarget? target)
    {
        var verdict = f.MayModerate();
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        if (target is null) return ModerationDecision.Refuse(ModerationVerdict.TargetNotInRoom);
        return new([new ParticipantAllowedToSpeak(f.RoomPublicId, target.Id, target.Name, f.Actor, f.CallerName!, f.At)]);
    }

    private static IRoomEvent[] MuteEvents(ModerationFacts f, MuteTarget t, string kind, bool askToUnmute)
    {
        var (muted, held) = kind == MuteKinds.Audio ? (t.AudioMuted, t.AudioHeld) : (t.VideoMuted, t.VideoHeld);
        return muted && held == askToUnmute ? []
            : [new ParticipantMutedByHost(f.RoomPublicId, t.Id, t.Name, kind, askToUnmute, f.Actor, f.CallerName!, f.At)];
    }

    public const string NoLongerWaiting = "That person is no longer waiting.";
    public const int MaxReasonLength = 200;

    /// <summary>Locks or unlocks the room; nothing to record when it already is so.</summary>
    public static ModerationDecision SetLock(ModerationFacts f, bool locked)
    {
        var verdict = f.MayModerate();
        if (verdict != ModerationVerdict.Allowed) return ModerationDecision.Refuse(verdict);
        if (f.Locked == locked) return new([]);
        return new([locked ? new RoomLocked(f.RoomPublicId, f.Actor, f.CallerName!, f.At) : new RoomUnlocked(f.RoomPublicId, f.Actor, f.CallerName!, f.At)]);
    }

    /// <summary>Ends the call for the <paramref name="present"/> people in it.</summary>
    public static ModerationDecision End(ModerationFacts f, int present)
    {
        var verdict = f.MayModerate();
        return verdict != ModerationVerdict.Allowed ? ModerationDecision.Refuse(verdict)
            : new([new RoomEnded(f.RoomPublicId, f.Actor, f.CallerName!, present, f.At)]);
    }
}
