using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Moderation;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Calls.Hands;

/// <param name="ParticipantId">Someone else's hand (the host lowering it); null for one's own.</param>
public sealed record SetHandRequest(bool Raised, string? ParticipantId = null);

public sealed record HandChanged(string Id, bool Raised);

/// <summary>What the database says about a hand change: may the caller moderate the call (the room's owner or a
/// co-host, Moderation's one rule), and the target's hand now (null: the target is not seated in the caller's room).</summary>
public sealed record HandFacts(string CallerId, bool CallerModerates, bool? TargetRaised);

public abstract record HandDecision
{
    public sealed record Refused(string Words) : HandDecision;
    /// <summary>The hand already was that way: nothing to write, nobody to tell.</summary>
    public sealed record Unchanged : HandDecision;
    public sealed record Changed(HandChanged Event) : HandDecision;
}

public static class HandRules
{
    /// <summary>Anyone raises or lowers their own hand; the host or a co-host may lower someone else's, nobody may raise it.</summary>
    public static HandDecision Decide(HandFacts f, string targetId, bool raised)
    {
        if (targetId != f.CallerId)
        {
            if (!f.CallerModerates) return new HandDecision.Refused("Only the host or a co-host can lower someone else's hand.");
            if (raised) return new HandDecision.Refused("Nobody can raise someone else's hand.");
        }
        return f.TargetRaised switch
        {
            null => new HandDecision.Refused("That participant is not in your room."),
            var now when now == raised => new HandDecision.Unchanged(),
            _ => new HandDecision.Changed(new HandChanged(targetId, raised)),
        };
    }
}

/// <summary>Loads a hand change's facts, decides, writes (only if the hand still is the other way).</summary>
public static class HandStore
{
    public static async Task<HandDecision> SetHandAsync(this MeshMeetDb db, Guid roomId, string callerId, string? userId, string targetId, bool raised, CancellationToken ct)
    {
        var owner = await db.Rooms.Where(r => r.Id == roomId).Select(r => r.OwnerId).SingleOrDefaultAsync(ct) ?? "";
        var callerIsCohost = await db.Participants.Where(p => p.Id == callerId).Select(p => p.IsCohost).SingleOrDefaultAsync(ct);
        var moderates = ModerationRules.MayModerate(true, userId, owner, callerIsCohost) == ModerationVerdict.Allowed;
        var target = db.Participants.Where(p => p.Id == targetId && p.RoomId == roomId);
        var now = await target.Select(p => (bool?)p.HandRaised).SingleOrDefaultAsync(ct);
        var decision = HandRules.Decide(new HandFacts(callerId, moderates, now), targetId, raised);
        if (decision is HandDecision.Changed
            && await target.Where(p => p.HandRaised != raised).ExecuteUpdateAsync(s => s.SetProperty(p => p.HandRaised, raised), ct) == 0)
            return new HandDecision.Unchanged(); // someone else's change got there first, and was announced
        return decision;
    }
}
