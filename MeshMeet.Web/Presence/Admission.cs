using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Presence;

public sealed record JoinCommand(string RoomId, string DisplayName, string? ReconnectToken, string? UserId, string ConnectionId,
    string? BrowserHash = null);

public abstract record JoinOutcome
{
    public sealed record RoomNotFound : JoinOutcome;
    /// <param name="Reason">full, locked or barred (as audited).</param>
    public sealed record Refused(string Message, string Reason) : JoinOutcome;
    /// <param name="Displaced">On a resume, the connection that held this identity until now (another tab, a page
    /// that is unloading, or a connection on an instance that died); it loses the seat.</param>
    public sealed record Admitted(Participant Self, Room Room, IReadOnlyList<Participant> Peers, string ReconnectToken,
        bool Resumed, LiveConnection? Displaced) : JoinOutcome;
}

/// <summary>
/// Who gets into which call, decided against PostgreSQL, the authority for admission. Every change to a room's
/// participants (join here, departures, and in Moderation kick and end) first locks the room's row and commits together
/// with its audit event: concurrent joins cannot overfill a room, and appends to the room's stream never race.
/// </summary>
public sealed class Admission(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, JoinQueue queue, RefusalTally refusals,
    InstanceIdentity instance)
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
            var outcomes = new List<JoinOutcome>(batch.Count);
            foreach (var join in batch) outcomes.Add(await DecideAsync(session, room, seated, barred, join));
            return outcomes;
        });

    private async Task<JoinOutcome> DecideAsync(Marten.IDocumentSession session, Room room, List<Participant> seated,
        HashSet<string> barred, PendingJoin join)
    {
        var cmd = join.Command;
        var tokenHash = TokenHashOf(cmd);
        var isBarred = tokenHash is not null && barred.Contains(tokenHash) || cmd.BrowserHash is not null && barred.Contains(cmd.BrowserHash);
        var resumable = tokenHash is null ? null : seated.SingleOrDefault(p => p.ReconnectTokenHash == tokenHash);
        var isOwner = cmd.UserId is not null && room.OwnerId == cmd.UserId;
        var ownerSeated = seated.Any(p => p.UserId == room.OwnerId);
        var facts = new JoinFacts(isBarred, resumable is not null, room.Locked, isOwner, seated.Count, room.Capacity, ownerSeated);
        var now = clock.GetUtcNow();
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
                break;
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
