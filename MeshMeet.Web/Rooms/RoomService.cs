using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Signaling;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Rooms;

/// <summary>Creates, lists and deletes a host's rooms. Ownership is part of every query, never checked afterwards.</summary>
public sealed class RoomService(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, IRoomCallCloser calls)
{
    public async Task<RoomView> CreateAsync(Host host, NewRoom input, string baseUrl, CancellationToken ct = default)
    {
        var room = new Room
        {
            Id = Guid.CreateVersion7(),
            PublicId = SecureId.New(),
            Name = input.Name,
            Capacity = input.Capacity,
            OwnerId = host.UserId,
            CreatedAt = clock.GetUtcNow(),
        };
        await audited.RunAsync(session =>
        {
            db.Rooms.Add(room);
            // The stream starts with the room: later events (joins) only append, so they never race to create it.
            session.Events.StartStream(room.Id,
                new RoomCreated(room.PublicId, room.Name, room.Capacity, host.UserId, host.Name, room.CreatedAt));
            return Task.FromResult(true);
        }, ct);
        return ToView(room, 0, baseUrl);
    }

    public async Task<IReadOnlyList<RoomView>> ListAsync(string ownerId, string baseUrl, CancellationToken ct = default)
    {
        var rows = await db.Rooms.AsNoTracking()
            .Where(r => r.OwnerId == ownerId)
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new { Room = r, Live = db.Participants.Count(p => p.RoomId == r.Id) })
            .ToListAsync(ct);
        return rows.Select(x => ToView(x.Room, x.Live, baseUrl)).ToList();
    }

    /// <summary>Deletes the room if <paramref name="host"/> owns it; false (nothing changed) otherwise. A live call
    /// is closed for everyone: the room row is locked, so nobody can join between the close and the delete.</summary>
    public async Task<bool> DeleteAsync(Host host, string publicId, CancellationToken ct = default)
    {
        if (!SecureId.LooksValid(publicId)) return false;
        var deleted = await audited.RunAsync(async session =>
        {
            var room = await db.Rooms.LockAsync(publicId, ct);
            if (room is null || room.OwnerId != host.UserId) return null;
            var connections = await db.Participants
                .Where(p => p.RoomId == room.Id && p.ConnectionId != null)
                .Select(p => new LiveConnection(p.Id, p.ConnectionId!, p.InstanceId))
                .ToListAsync(ct);
            db.Rooms.Remove(room); // participants and bans go with it (cascade); the audit stream stays
            session.Events.Append(room.Id,
                new RoomDeleted(room.PublicId, room.Name, host.UserId, host.Name, clock.GetUtcNow()));
            return new { room.Id, Connections = connections };
        }, ct);
        if (deleted is null) return false;
        await calls.CloseAsync(deleted.Id, deleted.Connections, CallClosedReason.Deleted, ct);
        return true;
    }

    public async Task<RoomLobby?> FindLobbyAsync(string publicId, string? userId, CancellationToken ct = default)
    {
        if (!SecureId.LooksValid(publicId)) return null;
        return await db.Rooms.AsNoTracking()
            .Where(r => r.PublicId == publicId)
            .Select(r => new RoomLobby(r.PublicId, r.Name, r.Capacity, userId != null && r.OwnerId == userId))
            .SingleOrDefaultAsync(ct);
    }

    private static RoomView ToView(Room room, int live, string baseUrl) =>
        new(room.PublicId, room.Name, room.Capacity, $"{baseUrl}/r/{room.PublicId}", room.CreatedAt, live);
}

/// <summary>A signed-in host as the audit log records them.</summary>
public sealed record Host(string UserId, string Name);

public enum CallClosedReason { Ended, Deleted }

/// <summary>Tells a room's live call that it is over (implemented where the hub lives).</summary>
public interface IRoomCallCloser
{
    Task CloseAsync(Guid roomId, IReadOnlyList<LiveConnection> connections, CallClosedReason reason, CancellationToken ct);
}
