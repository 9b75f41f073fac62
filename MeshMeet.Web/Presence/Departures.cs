using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Presence;

/// <summary>A participant who is no longer in a call, why, and the connection that held the seat (if any).</summary>
public sealed record Departure(Guid RoomId, string ParticipantId, LiveConnection? Connection, string Reason);

/// <summary>What became of a seat an instance lost track of (see <see cref="Departures.FateOfAsync"/>).</summary>
public enum SeatFate
{
    /// <summary>Still in the call, without a connection: it waits out its grace period to be resumed.</summary>
    Released,
    /// <summary>Still in the call through another connection (another tab, another instance).</summary>
    ResumedElsewhere,
    /// <summary>Out of the call, barred by a kick.</summary>
    Kicked,
    /// <summary>Out of the call: left, expired, or the call ended.</summary>
    Left,
}

/// <summary>Why a participant stopped being in a call, as PeerLeft.reason and ParticipantLeft.Reason say it.</summary>
public static class LeaveReasons
{
    public const string Left = "left";
    public const string Disconnected = "disconnected";
    public const string Kicked = "kicked";
}

/// <summary>
/// How seats end: a leave (at once), a dropped connection (the seat waits out its grace period, then goes), and seats
/// released in bulk when their connections are gone (a closed connection this instance still names, an instance that
/// stopped). Removals lock the room's row and commit with their <see cref="ParticipantLeft"/>, like joins.
/// </summary>
public sealed class Departures(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, InstanceIdentity instance)
{
    /// <summary>The participant leaves on purpose: removed at once, recorded as "left". Null if it was no longer
    /// seated (a kick or end committed first).</summary>
    public Task<Departure?> LeaveAsync(Guid roomId, string participantId, CancellationToken ct = default) =>
        audited.RunAsync(async session =>
        {
            var room = await db.Rooms.LockAsync(roomId, ct);
            var self = room is null ? null : await db.Participants.SingleOrDefaultAsync(p => p.Id == participantId, ct);
            return self is null ? null : Remove(session, room!, self, LeaveReasons.Left);
        }, ct);

    /// <summary>The connection dropped: the seat is kept for the grace period, in case the same browser comes back.</summary>
    public Task MarkDisconnectedAsync(string connectionId, CancellationToken ct = default) =>
        ReleaseAsync(db.Participants.Where(p => p.ConnectionId == connectionId), ct);

    /// <summary>This instance stops (or died): its seats get the grace period now, and its guests' knocks go (their
    /// pages knock again through another instance).</summary>
    public async Task<int> ReleaseInstanceAsync(string instanceId, CancellationToken ct = default)
    {
        await db.LobbyKnocks.Where(k => k.InstanceId == instanceId && k.DecidedAt == null).ExecuteDeleteAsync(ct);
        return await ReleaseAsync(db.Participants.Where(p => p.InstanceId == instanceId), ct);
    }

    /// <summary>These seats lose their connections and start the grace period (to be resumed, or to expire).</summary>
    public Task<int> ReleaseAsync(IQueryable<Participant> who, CancellationToken ct) =>
        who.ExecuteUpdateAsync(s => s.SetProperty(p => p.ConnectionId, (string?)null)
            .SetProperty(p => p.InstanceId, (string?)null)
            .SetProperty(p => p.DisconnectedAt, clock.GetUtcNow()), ct);

    /// <summary>The seats the database gives this instance: connection id to participant id.</summary>
    public Task<Dictionary<string, string>> HeldHereAsync(CancellationToken ct = default) =>
        db.Participants.Where(p => p.ConnectionId != null && p.InstanceId == instance.Id).ToDictionaryAsync(p => p.ConnectionId!, p => p.Id, ct);

    /// <summary>Seats held under a connection that is not open (a "mark disconnected" that failed, or a join that
    /// committed as its connection closed) start their grace period now, as if the drop had just been seen.
    /// <paramref name="held"/> comes from <see cref="HeldHereAsync"/> and <paramref name="isOpen"/> knows this
    /// instance's connections, so only this instance's seats are judged.</summary>
    public async Task<int> ReapGhostsAsync(IReadOnlyDictionary<string, string> held, Func<string, bool> isOpen, CancellationToken ct = default)
    {
        var reaped = 0;
        foreach (var (connectionId, participantId) in held.Where(h => !isOpen(h.Key)))
        {
            // Only if the seat still names that connection: a resume in between has made it live again.
            reaped += await ReleaseAsync(db.Participants.Where(p => p.Id == participantId && p.ConnectionId == connectionId), ct);
        }
        return reaped;
    }

    /// <summary>What became of participants whose seat an instance still holds in memory but the database no longer
    /// gives it (a revocation or a release that never reached it), by participant id.</summary>
    public async Task<Dictionary<string, SeatFate>> FateOfAsync(IReadOnlyCollection<(Guid RoomId, string ParticipantId, string TokenHash)> lost,
        CancellationToken ct = default)
    {
        var ids = lost.Select(l => l.ParticipantId).ToList();
        var still = await db.Participants.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.ConnectionId is null, ct);
        var hashes = lost.Select(l => l.TokenHash).ToList();
        var bans = await db.RoomBans.Where(b => hashes.Contains(b.TokenHash)).Select(b => new { b.RoomId, b.TokenHash }).ToListAsync(ct);
        return lost.ToDictionary(l => l.ParticipantId, l => still.TryGetValue(l.ParticipantId, out var released)
            ? released ? SeatFate.Released : SeatFate.ResumedElsewhere
            : bans.Any(b => b.RoomId == l.RoomId && b.TokenHash == l.TokenHash) ? SeatFate.Kicked : SeatFate.Left);
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

    /// <summary>Removes a participant of a room whose row this transaction has locked, with its audit event.</summary>
    private Departure Remove(Marten.IDocumentSession session, Room room, Participant p, string reason)
    {
        db.Participants.Remove(p);
        var at = clock.GetUtcNow();
        session.Events.Append(room.Id, [.. p.RecordingEnd(room.PublicId, p.Id, p.DisplayName, at),
            new ParticipantLeft(room.PublicId, p.Id, p.DisplayName, reason, p.Id, at)]);
        return new Departure(room.Id, p.Id, p.Live(), reason);
    }
}
