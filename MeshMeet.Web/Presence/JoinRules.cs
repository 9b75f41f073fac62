using MeshMeet.Web.Audit;

namespace MeshMeet.Web.Presence;

/// <summary>What the database says about a join attempt, gathered under the room's lock.</summary>
/// <param name="OwnerSeated">The room's owner holds one of the <paramref name="Present"/> seats.</param>
/// <param name="Lobby">The room asks to join: guests wait until a host lets them in.</param>
/// <param name="Admitted">The attempt carries a ticket the host gave from the lobby.</param>
/// <param name="DeniedRecently">The host turned this browser away from the lobby a short while ago.</param>
public sealed record JoinFacts(bool TokenBarred, bool TokenResumes, bool Locked, bool IsOwner, int Present, int Capacity, bool OwnerSeated = false,
    bool Lobby = false, bool Admitted = false, bool DeniedRecently = false);

/// <summary><c>Wait</c>: not a seat but a knock in the lobby.</summary>
public enum JoinDecision { Admit, Resume, RefuseBarred, RefuseLocked, RefuseFull, Wait, RefuseDenied }

/// <summary>Pure admission rule: who gets into a room. Unit-tested; the Presence store supplies the facts.</summary>
public static class JoinRules
{
    public const int MaxDisplayNameLength = 40;

    /// <summary>What any room action says to a connection that is not (or no longer) in a call.</summary>
    public const string NotInRoom = "You are not in a room. Join one first.";

    /// <summary>Each join makes everyone in the room build a new connection to the newcomer and offer to it.</summary>
    public const string RejoiningTooOften = "You are joining and leaving this room too often. Wait a minute, then join again.";

    public static JoinDecision Decide(JoinFacts f) => f switch
    {
        { TokenBarred: true } => JoinDecision.RefuseBarred,
        // A dropped participant still holds its seat during the grace period, so resuming never overfills.
        { TokenResumes: true } => JoinDecision.Resume,
        // The owner may always enter their own locked room (capacity still applies).
        { Locked: true, IsOwner: false } => JoinDecision.RefuseLocked,
        // The lobby comes before capacity: a host may admit someone once a seat is free (admission checks it again).
        { Lobby: true, IsOwner: false, Admitted: false, DeniedRecently: true } => JoinDecision.RefuseDenied,
        { Lobby: true, IsOwner: false, Admitted: false } => JoinDecision.Wait,
        // While the owner is away guests take at most capacity - 1 seats, so the host can always get in to moderate.
        _ when SeatsLeft(f.Present, f.Capacity, f.IsOwner || f.OwnerSeated) <= 0 => JoinDecision.RefuseFull,
        _ => JoinDecision.Admit,
    };

    /// <summary>Seats a guest could still take: while the owner is away (and not the one joining) one stays free for
    /// them, so the host can always get in to moderate. <paramref name="promised"/>: admission tickets from the lobby
    /// not used yet.</summary>
    public static int SeatsLeft(int present, int capacity, bool ownerSeatedOrJoining, int promised = 0) =>
        (ownerSeatedOrJoining ? capacity : capacity - 1) - present - promised;

    /// <summary>The words a person sees for each refusal, and the reason recorded in the audit log.</summary>
    public static (string Message, string AuditReason) Describe(JoinDecision refusal, int capacity) => refusal switch
    {
        JoinDecision.RefuseBarred => ("The host removed you from this room, so you cannot rejoin it.", "barred"),
        JoinDecision.RefuseLocked => ("The host has locked this room. Ask them to unlock it.", "locked"),
        JoinDecision.RefuseFull => ($"This room is full ({capacity} of {capacity} people). Try again when someone leaves.", "full"),
        JoinDecision.RefuseDenied => ($"{LobbyRules.DeniedWords} You can ask again in a few minutes.", "denied"),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "Not a refusal."),
    };
}

/// <summary>One person asking to enter a room, with what a join would record: the room's public id, the id a new seat
/// would get, who is asking (user id, or null for a guest) and when.</summary>
public sealed record JoinAttempt(string RoomPublicId, string NewParticipantId, string DisplayName, string? UserId, DateTimeOffset At);

/// <summary>What a join decided and the audit events that record it. <c>Refusal</c> holds the words the person sees
/// when it was refused.</summary>
public sealed record JoinVerdict(JoinDecision Decision, IReadOnlyList<IRoomEvent> Events, string? Refusal = null, string? Reason = null);

public static class JoinDecider
{
    /// <summary>The join rule with its events: an admission records who joined (host or guest), a refusal records
    /// why; a resume records nothing (the participant never left), nor does a knock (the host's decision is recorded).</summary>
    public static JoinVerdict Decide(JoinFacts facts, JoinAttempt a)
    {
        var decision = JoinRules.Decide(facts);
        switch (decision)
        {
            case JoinDecision.Resume or JoinDecision.Wait:
                return new(decision, []);
            case JoinDecision.Admit:
                return new(decision, [new ParticipantJoined(a.RoomPublicId, a.NewParticipantId, a.DisplayName, facts.IsOwner, a.UserId ?? a.NewParticipantId, a.At)]);
            default:
                var (message, reason) = JoinRules.Describe(decision, facts.Capacity);
                return new(decision, [new JoinRefused(a.RoomPublicId, a.DisplayName, reason, a.UserId ?? "guest", a.At)], message, reason);
        }
    }
}
