using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Presence;

/// <param name="AdmissionTicket">What the host's Admit gave a guest in the lobby.</param>
/// <param name="AddressHash">Hash of the client's address: a lobby denial holds it when there is no browser id.</param>
/// <param name="MayKnock">Takes one knock from the caller's allowance (asked only when the join would wait in a lobby).</param>
public sealed record JoinCommand(string RoomId, string DisplayName, string? ReconnectToken, string? UserId, string ConnectionId,
    string? BrowserHash = null, string? AdmissionTicket = null, string AddressHash = "", Func<bool>? MayKnock = null);

public abstract record JoinOutcome
{
    public sealed record RoomNotFound : JoinOutcome;
    /// <param name="Reason">full, locked or barred (as audited).</param>
    public sealed record Refused(string Message, string Reason) : JoinOutcome;
    /// <param name="Displaced">On a resume, the connection that held this identity until now (another tab, a page
    /// that is unloading, or a connection on an instance that died); it loses the seat.</param>
    public sealed record Admitted(Participant Self, Room Room, IReadOnlyList<Participant> Peers, string ReconnectToken,
        bool Resumed, LiveConnection? Displaced) : JoinOutcome;
    /// <summary>In the lobby: <paramref name="HostPresent"/> says whether anyone who can let them in is in the call.</summary>
    public sealed record Waiting(LobbyKnock Knock, Room Room, bool HostPresent) : JoinOutcome;
}

/// <summary>
/// Who gets into which call, decided against PostgreSQL, the authority for admission. Every change to a room's
/// participants (join here, departures, and in Moderation kick and end) first locks the room's row and commits together
/// with its audit event: concurrent joins cannot overfill a room, and appends to the room's stream never race.
/// </summary>
public sealed class Admission(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, JoinQueue queue, RefusalTally refusals,
    InstanceIdentity instance, Microsoft.Extensions.Options.IOptions<PresenceOptions> options)
{
    /// <summary>Admits, resumes or refuses. <paramref name="enterGroups"/> runs before the commit, so that any join
    /// committed after this one (it must wait for our room lock) finds this connection already in the room's groups.
    /// Joins to one room that arrive together commit together (<see cref="JoinQueue"/>).</summary>
    public Task<JoinOutcome> JoinAsync(JoinCommand cmd, Func<Guid, string, Task> enterGroups) =>
        queue.RunAsync(new PendingJoin(cmd, enterGroups), takeBatch => CommitJoinsAsync(cmd.RoomId, takeBatch));

    /// <summary>One transaction for a batch of joins to one room, decided in arrival order: each sees the seats the
    /// ones before it took. Not cancellable by any one caller: the batch belongs to all of them.</summary>
    private Task<IReadOnlyList<JoinOutcome>> CommitJoinsAsync(string roomId, Func<IReadOnlyList<PendingJoin>> takeBatch) =>
        audited.RunAsync<IReadOnlyList<JoinOutcome>>(async session =>
        {
            var room = await db.Rooms.LockAsync(roomId, CancellationToken.None);
            var batch = takeBatch();
            if (room is null) return batch.Select(_ => new JoinOutcome.RoomNotFound()).ToList<JoinOutcome>();

            // A room holds a handful of seats: one read gives the count, the peers and any resumable seat.
            var seated = await db.Participants.Where(p => p.RoomId == room.Id).OrderBy(p => p.JoinedAt).ToListAsync();
            var identities = batch.SelectMany(j => new[] { TokenHashOf(j.Command), j.Command.BrowserHash }).OfType<string>().Distinct().ToList();
            var barred = identities.Count == 0 ? []
                : (await db.RoomBans.Where(b => b.RoomId == room.Id && identities.Contains(b.TokenHash)).Select(b => b.TokenHash).ToListAsync()).ToHashSet();
            // The lobby's decided knocks (tickets, recent denials): read only where a lobby is in play.
            var decided = room.Lobby || batch.Any(j => j.Command.AdmissionTicket is not null)
                ? await db.LobbyKnocks.Where(k => k.RoomId == room.Id && k.DecidedAt != null).ToListAsync()
                : [];
            var outcomes = new List<JoinOutcome>(batch.Count);
            foreach (var join in batch) outcomes.Add(await DecideAsync(session, room, seated, barred, decided, join));
            return outcomes;
        });

    private async Task<JoinOutcome> DecideAsync(Marten.IDocumentSession session, Room room, List<Participant> seated,
        HashSet<string> barred, List<LobbyKnock> decided, PendingJoin join)
    {
        var cmd = join.Command;
        var tokenHash = TokenHashOf(cmd);
        var isBarred = tokenHash is not null && barred.Contains(tokenHash) || cmd.BrowserHash is not null && barred.Contains(cmd.BrowserHash);
        var resumable = tokenHash is null ? null : seated.SingleOrDefault(p => p.ReconnectTokenHash == tokenHash);
        var isOwner = cmd.UserId is not null && room.OwnerId == cmd.UserId;
        var ownerSeated = seated.Any(p => p.UserId == room.OwnerId);
        var now = clock.GetUtcNow();
        var cooldown = TimeSpan.FromSeconds(options.Value.LobbyDenyCooldownSeconds);
        var ticketHash = cmd.AdmissionTicket is { Length: > 0 and <= 100 } ticket ? SecureId.Hash(ticket) : null;
        var admittedBy = decided.FirstOrDefault(k => LobbyRules.Admits(k, ticketHash, now));
        var facts = new JoinFacts(isBarred, resumable is not null, room.Locked, isOwner, seated.Count, room.Capacity, ownerSeated,
            room.Lobby, admittedBy is not null, decided.Any(k => LobbyRules.DeniedRecently(k, cmd.BrowserHash, cmd.AddressHash, now, cooldown)));
        var verdict = JoinDecider.Decide(facts, new JoinAttempt(room.PublicId, SecureId.New(), cmd.DisplayName, cmd.UserId, now));

        Participant self;
        string reconnectToken;
        LiveConnection? displaced = null;
        switch (verdict.Decision)
        {
            case JoinDecision.Resume:
                self = resumable!;
                displaced = self.Live();
                self.ConnectionId = cmd.ConnectionId;
                self.InstanceId = instance.Id;
                self.DisconnectedAt = null;
                reconnectToken = cmd.ReconnectToken!;
                break;
            case JoinDecision.Admit:
                var joined = (ParticipantJoined)verdict.Events[0];
                reconnectToken = SecureId.New(32);
                self = new Participant
                {
                    Id = joined.ParticipantId,
                    RoomId = room.Id,
                    DisplayName = joined.DisplayName,
                    IsHost = joined.IsHost,
                    UserId = cmd.UserId,
                    ConnectionId = cmd.ConnectionId,
                    InstanceId = instance.Id,
                    ReconnectTokenHash = SecureId.Hash(reconnectToken),
                    BrowserHash = cmd.BrowserHash,
                    JoinedAt = now,
                };
                db.Participants.Add(self);
                session.Events.Append(room.Id, joined);
                if (admittedBy is not null)
                {
                    db.LobbyKnocks.Remove(admittedBy); // a ticket lets in once
                    decided.Remove(admittedBy);
                }
                break;
            case JoinDecision.Wait when cmd.MayKnock?.Invoke() == false:
                return new JoinOutcome.Refused(LobbyRules.KnockingTooOften, "knocking_too_often");
            case JoinDecision.Wait:
                var knock = new LobbyKnock
                {
                    Id = SecureId.New(),
                    RoomId = room.Id,
                    DisplayName = cmd.DisplayName,
                    ConnectionId = cmd.ConnectionId,
                    InstanceId = instance.Id,
                    BrowserHash = cmd.BrowserHash,
                    AddressHash = cmd.AddressHash,
                    Since = now,
                };
                db.LobbyKnocks.Add(knock);
                // What was decided long ago counts for nothing now: it goes with the next knock.
                db.LobbyKnocks.RemoveRange(decided.Where(k => LobbyRules.Spent(k, now, cooldown)));
                decided.RemoveAll(k => LobbyRules.Spent(k, now, cooldown));
                return new JoinOutcome.Waiting(knock, room, seated.Any(p => p.UserId == room.OwnerId || p.IsCohost));
            default:
                var refusal = (JoinRefused)verdict.Events[0];
                if (refusals.ShouldRecord(room.Id, refusal)) session.Events.Append(room.Id, refusal);
                return new JoinOutcome.Refused(verdict.Refusal!, verdict.Reason!);
        }

        await join.EnterGroups(room.Id, self.Id);
        var peers = seated.Where(p => p.Id != self.Id).ToList();
        if (verdict.Decision == JoinDecision.Admit) seated.Add(self); // the next join of this batch sees the seat taken
        return new JoinOutcome.Admitted(self, room, peers, reconnectToken, verdict.Decision == JoinDecision.Resume, displaced);
    }

    private static string? TokenHashOf(JoinCommand cmd) => cmd.ReconnectToken is { Length: > 0 and <= 100 } token ? SecureId.Hash(token) : null;

    /// <summary>Appends the refusals <see cref="RefusalTally"/> held back, each under its room's lock (a deleted room's are dropped).</summary>
    public async Task RecordRefusalsAsync(IReadOnlyList<(Guid RoomId, JoinRefused Summary)> due, CancellationToken ct = default)
    {
        foreach (var (roomId, summary) in due)
        {
            await audited.RunAsync(async session =>
            {
                if (await db.Rooms.LockAsync(roomId, ct) is not null) session.Events.Append(roomId, summary);
                return 0;
            }, ct);
        }
    }

    /// <summary>Is this participant seated in that room? Asked only when the roster of this instance does not know.</summary>
    public Task<bool> IsSeatedAsync(Guid roomId, string participantId, CancellationToken ct = default) =>
        db.Participants.AnyAsync(p => p.RoomId == roomId && p.Id == participantId, ct);
}
