using System.Security.Cryptography;
using System.Text;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Cluster;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Signaling;

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
/// Who is in which call, kept in PostgreSQL, the authority for admission. Every change to a room's participants
/// (join, leave, sweep, and in Moderation kick and end) first locks the room's row and commits together with its audit
/// event: concurrent joins cannot overfill a room, and appends to the room's stream never race.
/// </summary>
public sealed class Presence(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, JoinQueue queue, RefusalTally refusals,
    InstanceIdentity instance)
{
    /// <summary>Everyone in a room's call.</summary>
    public static string GroupName(Guid roomId) => $"room:{roomId:N}";

    /// <summary>One participant's live connection, scoped by room: a signal sent here from another room reaches nobody.</summary>
    public static string ParticipantGroup(Guid roomId, string participantId) => $"peer:{roomId:N}:{participantId}";

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
        var decision = JoinRules.Decide(new JoinFacts(isBarred, resumable is not null, room.Locked, isOwner, seated.Count, room.Capacity, ownerSeated));
        var now = clock.GetUtcNow();

        Participant self;
        string reconnectToken;
        LiveConnection? displaced = null;
        switch (decision)
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
                reconnectToken = SecureId.New(32);
                self = new Participant
                {
                    Id = SecureId.New(),
                    RoomId = room.Id,
                    DisplayName = cmd.DisplayName,
                    IsHost = isOwner,
                    UserId = cmd.UserId,
                    ConnectionId = cmd.ConnectionId,
                    InstanceId = instance.Id,
                    ReconnectTokenHash = Hash(reconnectToken),
                    BrowserHash = cmd.BrowserHash,
                    JoinedAt = now,
                };
                db.Participants.Add(self);
                session.Events.Append(room.Id,
                    new ParticipantJoined(room.PublicId, self.Id, self.DisplayName, self.IsHost, cmd.UserId ?? self.Id, now));
                break;
            default:
                var (message, reason) = JoinRules.Describe(decision, room.Capacity);
                var refusal = new JoinRefused(room.PublicId, cmd.DisplayName, reason, cmd.UserId ?? "guest", now);
                if (refusals.ShouldRecord(room.Id, refusal)) session.Events.Append(room.Id, refusal);
                return new JoinOutcome.Refused(message, reason);
        }

        await join.EnterGroups(room.Id, self.Id);
        var peers = seated.Where(p => p.Id != self.Id).ToList();
        if (decision == JoinDecision.Admit) seated.Add(self); // the next join of this batch sees the seat taken
        return new JoinOutcome.Admitted(self, room, peers, reconnectToken, decision == JoinDecision.Resume, displaced);
    }

    private static string? TokenHashOf(JoinCommand cmd) => cmd.ReconnectToken is { Length: > 0 and <= 100 } token ? Hash(token) : null;

    /// <summary>The participant leaves on purpose: removed at once, recorded as "left". Null if it was no longer
    /// seated (a kick or end committed first).</summary>
    public Task<Departure?> LeaveAsync(Seat seat, CancellationToken ct = default) =>
        audited.RunAsync(async session =>
        {
            var room = await db.Rooms.LockAsync(seat.RoomId, ct);
            var self = room is null ? null : await db.Participants.SingleOrDefaultAsync(p => p.Id == seat.ParticipantId, ct);
            return self is null ? null : Remove(session, room!, self, LeaveReasons.Left);
        }, ct);

    /// <summary>The connection dropped: the seat is kept for the grace period, in case the same browser comes back.</summary>
    public Task MarkDisconnectedAsync(string connectionId, CancellationToken ct = default) =>
        Disconnect(db.Participants.Where(p => p.ConnectionId == connectionId), ct);

    /// <summary>Seats held by instances without a heartbeat since <paramref name="aliveSince"/> (crashed, cut off, or
    /// the process before a restart; also seats from before instances were recorded) get the grace period to be
    /// resumed, and those instances are forgotten. Seats of live instances are not touched.</summary>
    public async Task<int> ReleaseSilentInstancesAsync(DateTimeOffset aliveSince, CancellationToken ct = default)
    {
        var released = await Disconnect(db.Participants.Where(p => p.ConnectionId != null
            && !db.Instances.Any(i => i.Id == p.InstanceId && i.HeartbeatAt >= aliveSince)), ct);
        await db.Instances.Where(i => i.HeartbeatAt < aliveSince).ExecuteDeleteAsync(ct);
        return released;
    }

    /// <summary>This instance stops: its seats get the grace period now.</summary>
    public Task<int> ReleaseInstanceAsync(string instanceId, CancellationToken ct = default) =>
        Disconnect(db.Participants.Where(p => p.InstanceId == instanceId), ct);

    private Task<int> Disconnect(IQueryable<Participant> who, CancellationToken ct) =>
        who.ExecuteUpdateAsync(s => s.SetProperty(p => p.ConnectionId, (string?)null)
            .SetProperty(p => p.InstanceId, (string?)null)
            .SetProperty(p => p.DisconnectedAt, clock.GetUtcNow()), ct);

    /// <summary>Seats held under a connection that is not open (a "mark disconnected" that failed, or a join that
    /// committed as its connection closed) start their grace period now, as if the drop had just been seen.
    /// <paramref name="isOpen"/> knows this instance's connections, so only this instance's seats are judged.</summary>
    public async Task<int> ReapGhostsAsync(Func<string, bool> isOpen, CancellationToken ct = default)
    {
        var held = await db.Participants.Where(p => p.ConnectionId != null && p.InstanceId == instance.Id)
            .Select(p => new { p.Id, p.ConnectionId }).ToListAsync(ct);
        var ghosts = held.Where(p => !isOpen(p.ConnectionId!)).ToList();
        var reaped = 0;
        foreach (var ghost in ghosts)
        {
            // Only if the seat still names that connection: a resume in between has made it live again.
            reaped += await Disconnect(db.Participants.Where(p => p.Id == ghost.Id && p.ConnectionId == ghost.ConnectionId), ct);
        }
        return reaped;
    }

    /// <summary>Removes participants whose grace period ran out, one room (and its lock) at a time, so the sweep
    /// queues behind joins and leaves of the same room instead of racing their audit appends.</summary>
    public async Task<IReadOnlyList<Departure>> ExpireDisconnectedAsync(TimeSpan grace, CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow() - grace;
        // The sweep runs every second: a cheap indexed probe first, transactions only when there is work.
        var rooms = await db.Participants.Where(p => p.DisconnectedAt < cutoff).Select(p => p.RoomId).Distinct().ToListAsync(ct);
        var departures = new List<Departure>();
        foreach (var roomId in rooms)
        {
            departures.AddRange(await audited.RunAsync(async session =>
            {
                var room = await db.Rooms.LockAsync(roomId, ct);
                if (room is null) return [];
                var expired = await db.Participants.Where(p => p.RoomId == roomId && p.DisconnectedAt < cutoff).ToListAsync(ct);
                return expired.Select(p => Remove(session, room, p, LeaveReasons.Disconnected)).ToList();
            }, ct));
        }
        return departures;
    }

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

    /// <summary>Raises or lowers a hand in the caller's room: one's own, or (the room's owner, checked against the
    /// database) lowers someone else's. The words of a refusal, or null; <c>Changed</c> is false when the hand already
    /// was that way (nothing written, nobody to tell).</summary>
    public async Task<(string? Refusal, bool Changed)> SetHandAsync(Seat seat, string? userId, string participantId, bool raised, CancellationToken ct = default)
    {
        if (participantId != seat.ParticipantId)
        {
            var owner = await db.Rooms.Where(r => r.Id == seat.RoomId).Select(r => r.OwnerId).SingleOrDefaultAsync(ct);
            if (Moderation.ModerationRules.MayModerate(true, userId, owner ?? "") != Moderation.ModerationVerdict.Allowed)
                return ("Only the host can lower someone else's hand.", false);
            if (raised) return ("Nobody can raise someone else's hand.", false);
        }
        var participant = db.Participants.Where(p => p.Id == participantId && p.RoomId == seat.RoomId);
        if (await participant.Where(p => p.HandRaised != raised).ExecuteUpdateAsync(s => s.SetProperty(p => p.HandRaised, raised), ct) > 0)
            return (null, true);
        return await participant.AnyAsync(ct) ? (null, false) : ("That participant is not in your room.", false);
    }

    /// <summary>Stores a seated participant's mute, camera and screen state (newcomers read it from <c>peers</c>).
    /// False when it already was so: nothing is written and nobody needs to hear it again.</summary>
    public async Task<bool> SetMediaStateAsync(Seat seat, SetMediaStateRequest state, CancellationToken ct = default) =>
        await db.Participants.Where(p => p.Id == seat.ParticipantId
                && (p.AudioMuted != state.AudioMuted || p.VideoMuted != state.VideoMuted || p.ScreenSharing != state.ScreenSharing))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.AudioMuted, state.AudioMuted).SetProperty(p => p.VideoMuted, state.VideoMuted)
                .SetProperty(p => p.ScreenSharing, state.ScreenSharing), ct) > 0;

    /// <summary>Removes a participant of a room whose row this transaction has locked, with its audit event.</summary>
    private Departure Remove(Marten.IDocumentSession session, Room room, Participant p, string reason)
    {
        db.Participants.Remove(p);
        session.Events.Append(room.Id, new ParticipantLeft(room.PublicId, p.Id, p.DisplayName, reason, p.Id, clock.GetUtcNow()));
        return new Departure(room.Id, p.Id, p.Live(), reason);
    }

    public static string Hash(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
