using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Rooms;

/// <summary>Creates, lists and deletes a host's rooms. Ownership is part of every query, never checked afterwards.</summary>
public sealed class RoomService(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, IRoomCalls calls)
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
            Lobby = input.Lobby,
            AskToUnmute = input.AskToUnmute,
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
        var rooms = await db.Rooms.AsNoTracking()
            .Where(r => r.OwnerId == ownerId)
            .OrderByDescending(r => r.CreatedAt)
            .ToListAsync(ct);
        var present = await calls.PresentAsync(rooms.Select(r => r.Id).ToList(), ct);
        return rooms.Select(r => ToView(r, present.GetValueOrDefault(r.Id), baseUrl)).ToList();
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
            var closeCall = await calls.PrepareCloseAsync(room.Id, ct);
            db.Rooms.Remove(room); // participants and bans go with it (cascade); the audit stream stays
            session.Events.Append(room.Id,
                new RoomDeleted(room.PublicId, room.Name, host.UserId, host.Name, clock.GetUtcNow()));
            return closeCall;
        }, ct);
        if (deleted is null) return false;
        await deleted();
        return true;
    }

    /// <summary>Changes the settings of a room <paramref name="host"/> owns; null if they have no such room. A call under
    /// way hears of the change (its host's lobby switch follows; waiting guests are not let in by it).</summary>
    public async Task<RoomView?> ChangeSettingsAsync(Host host, string publicId, RoomSettings settings, string baseUrl, CancellationToken ct = default)
    {
        if (!SecureId.LooksValid(publicId)) return null;
        var room = await db.Rooms.SingleOrDefaultAsync(r => r.PublicId == publicId && r.OwnerId == host.UserId, ct);
        if (room is null) return null;
        room.Lobby = settings.Lobby ?? room.Lobby;
        room.AskToUnmute = settings.AskToUnmute ?? room.AskToUnmute;
        await db.SaveChangesAsync(ct);
        if (settings.Lobby is { } lobby) await calls.LobbyChangedAsync(room.Id, lobby);
        var present = await calls.PresentAsync([room.Id], ct);
        return ToView(room, present.GetValueOrDefault(room.Id), baseUrl);
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
        new(room.PublicId, room.Name, room.Capacity, $"{baseUrl}/r/{room.PublicId}", room.CreatedAt, live, room.Lobby, room.AskToUnmute);
}

/// <summary>A signed-in host as the audit log records them.</summary>
public sealed record Host(string UserId, string Name);

/// <summary>The call side of a room's life, implemented where calls live: Rooms knows rooms, not who is in them.</summary>
public interface IRoomCalls
{
    /// <summary>In the transaction that deletes the room, under its lock: reads who is in its call. The step it returns,
    /// run after the commit, closes the call for them.</summary>
    Task<Func<Task>> PrepareCloseAsync(Guid roomId, CancellationToken ct);

    /// <summary>How many people are in each of these rooms' calls (rooms without anyone are left out).</summary>
    Task<IReadOnlyDictionary<Guid, int>> PresentAsync(IReadOnlyCollection<Guid> roomIds, CancellationToken ct);

    /// <summary>The room's "Ask to join" changed: its call hears it.</summary>
    Task LobbyChangedAsync(Guid roomId, bool enabled);
}

/// <summary>Rooms own their table; the shared context reaches it through this.</summary>
public static class RoomData
{
    extension(MeshMeetDb db)
    {
        public DbSet<Room> Rooms => db.Set<Room>();
    }
}
