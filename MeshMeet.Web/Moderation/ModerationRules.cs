using MeshMeet.Web.Signaling;

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
