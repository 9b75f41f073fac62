using System.Security.Cryptography;
using System.Text;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Signaling;

public sealed record JoinCommand(string RoomId, string DisplayName, string? ReconnectToken, string? UserId, string ConnectionId);

public abstract record JoinOutcome
{
    public sealed record RoomNotFound : JoinOutcome;
    public sealed record Refused(string Message) : JoinOutcome;
    /// <param name="Displaced">On a resume, the connection that held this identity until now (another tab, or a
    /// page that is unloading); it leaves the room's group.</param>
    public sealed record Admitted(Participant Self, Room Room, IReadOnlyList<Participant> Peers, string ReconnectToken,
        bool Resumed, string? Displaced) : JoinOutcome;
}

/// <summary>A participant who is no longer in a call, and the room group to tell.</summary>
public sealed record Departure(string ParticipantId, string? ConnectionId, string Group);

/// <summary>
/// Who is in which call, kept in PostgreSQL. Every change that the audit log records is committed together with its
/// event; joins take a row lock on the room so that concurrent joins cannot overfill it.
/// </summary>
public sealed class Presence(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock)
{
    public static string GroupName(Guid roomId) => $"room:{roomId:N}";

    /// <summary>Admits, resumes or refuses. <paramref name="enterGroup"/> runs before the commit, so that any join
    /// committed after this one (it must wait for our room lock) finds this connection already in the group.</summary>
    public Task<JoinOutcome> JoinAsync(JoinCommand cmd, Func<string, Task> enterGroup, CancellationToken ct = default) =>
        audited.RunAsync<JoinOutcome>(async session =>
        {
            var room = await db.Rooms.LockAsync(cmd.RoomId, ct);
            if (room is null) return new JoinOutcome.RoomNotFound();
            if (await db.Participants.AnyAsync(p => p.ConnectionId == cmd.ConnectionId, ct))
                return new JoinOutcome.Refused("This connection is already in a call. Leave it first.");

            var tokenHash = cmd.ReconnectToken is { Length: > 0 and <= 100 } token ? Hash(token) : null;
            var barred = tokenHash is not null && await db.RoomBans.AnyAsync(b => b.RoomId == room.Id && b.TokenHash == tokenHash, ct);
            var resumable = tokenHash is null ? null
                : await db.Participants.SingleOrDefaultAsync(p => p.RoomId == room.Id && p.ReconnectTokenHash == tokenHash, ct);
            var present = await db.Participants.CountAsync(p => p.RoomId == room.Id, ct);
            var isOwner = cmd.UserId is not null && room.OwnerId == cmd.UserId;
            var decision = JoinRules.Decide(new JoinFacts(barred, resumable is not null, room.Locked, isOwner, present, room.Capacity));
            var now = clock.GetUtcNow();

            Participant self;
            string reconnectToken;
            string? displaced = null;
            switch (decision)
            {
                case JoinDecision.Resume:
                    self = resumable!;
                    displaced = self.ConnectionId;
                    self.ConnectionId = cmd.ConnectionId;
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
                        ReconnectTokenHash = Hash(reconnectToken),
                        JoinedAt = now,
                    };
                    db.Participants.Add(self);
                    session.Events.Append(room.Id,
                        new ParticipantJoined(room.PublicId, self.Id, self.DisplayName, self.IsHost, cmd.UserId ?? self.Id, now));
                    break;
                default:
                    var (message, reason) = JoinRules.Describe(decision, room.Capacity);
                    session.Events.Append(room.Id, new JoinRefused(room.PublicId, cmd.DisplayName, reason, cmd.UserId ?? "guest", now));
                    return new JoinOutcome.Refused(message);
            }

            var peers = await db.Participants.AsNoTracking()
                .Where(p => p.RoomId == room.Id && p.Id != self.Id)
                .OrderBy(p => p.JoinedAt)
                .ToListAsync(ct);
            await enterGroup(GroupName(room.Id));
            return new JoinOutcome.Admitted(self, room, peers, reconnectToken, decision == JoinDecision.Resume, displaced);
        }, ct);

    /// <summary>The caller leaves on purpose: removed at once, recorded as "left".</summary>
    public Task<Departure?> LeaveAsync(string connectionId, CancellationToken ct = default) =>
        audited.RunAsync(async session =>
        {
            var self = await db.Participants.SingleOrDefaultAsync(p => p.ConnectionId == connectionId, ct);
            if (self is null) return null;
            return await RemoveAsync(session, self, LeaveReasons.Left, ct);
        }, ct);

    /// <summary>The connection dropped: the seat is kept for the grace period, in case the same browser comes back.</summary>
    public Task MarkDisconnectedAsync(string connectionId, CancellationToken ct = default) =>
        Disconnect(db.Participants.Where(p => p.ConnectionId == connectionId), ct);

    /// <summary>After a restart no connection survives: every seat gets the grace period to be resumed.</summary>
    public Task MarkAllDisconnectedAsync(CancellationToken ct = default) =>
        Disconnect(db.Participants.Where(p => p.ConnectionId != null), ct);

    private Task Disconnect(IQueryable<Participant> who, CancellationToken ct) =>
        who.ExecuteUpdateAsync(s => s.SetProperty(p => p.ConnectionId, (string?)null)
            .SetProperty(p => p.DisconnectedAt, clock.GetUtcNow()), ct);

    /// <summary>Removes participants whose grace period ran out. SKIP LOCKED lets several app instances sweep at once.</summary>
    public async Task<IReadOnlyList<Departure>> ExpireDisconnectedAsync(TimeSpan grace, CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow() - grace;
        // The sweep runs every second: a cheap indexed probe first, a transaction only when there is work.
        if (!await db.Participants.AnyAsync(p => p.DisconnectedAt < cutoff, ct)) return [];
        return await audited.RunAsync<IReadOnlyList<Departure>>(async session =>
        {
            var expired = await db.Participants
                .FromSql($"""SELECT * FROM participants WHERE "DisconnectedAt" < {cutoff} FOR UPDATE SKIP LOCKED""")
                .ToListAsync(ct);
            var departures = new List<Departure>();
            foreach (var p in expired)
                departures.Add(await RemoveAsync(session, p, LeaveReasons.Disconnected, ct));
            return departures;
        }, ct);
    }

    /// <summary>Where a signal from this connection to <paramref name="to"/> goes, or why it cannot.</summary>
    public async Task<(string? From, string? ToConnection, string? Refusal)> RouteAsync(string connectionId, string to, CancellationToken ct = default)
    {
        var route = await (
            from me in db.Participants
            join peer in db.Participants on me.RoomId equals peer.RoomId
            where me.ConnectionId == connectionId && peer.Id == to
            select new { me.Id, peer.ConnectionId }).SingleOrDefaultAsync(ct);
        if (route is null)
            return await db.Participants.AnyAsync(p => p.ConnectionId == connectionId, ct)
                ? (null, null, "That participant is not in your room.")
                : (null, null, JoinRules.NotInRoom);
        return route.ConnectionId is null
            ? (null, null, "That participant is reconnecting. Try again in a moment.")
            : (route.Id, route.ConnectionId, null);
    }

    /// <summary>Stores the caller's mute/camera state; null when the caller is not in a call.</summary>
    public async Task<(Participant Self, string Group)?> SetMediaStateAsync(string connectionId, bool audioMuted, bool videoMuted, CancellationToken ct = default)
    {
        var self = await db.Participants.SingleOrDefaultAsync(p => p.ConnectionId == connectionId, ct);
        if (self is null) return null;
        self.AudioMuted = audioMuted;
        self.VideoMuted = videoMuted;
        await db.SaveChangesAsync(ct);
        return (self, GroupName(self.RoomId));
    }

    internal async Task<Departure> RemoveAsync(Marten.IDocumentSession session, Participant p, string reason, CancellationToken ct)
    {
        var room = await db.Rooms.AsNoTracking().Where(r => r.Id == p.RoomId).Select(r => r.PublicId).SingleAsync(ct);
        db.Participants.Remove(p);
        session.Events.Append(p.RoomId, new ParticipantLeft(room, p.Id, p.DisplayName, reason, p.Id, clock.GetUtcNow()));
        return new Departure(p.Id, p.ConnectionId, GroupName(p.RoomId));
    }

    public static string Hash(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
