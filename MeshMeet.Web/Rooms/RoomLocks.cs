using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Rooms;

/// <summary>
/// The room row, locked (SELECT ... FOR UPDATE) until the surrounding transaction ends. Every change to a room's
/// presence, moderation or existence takes this lock first, so joins, kicks, ends and deletes of one room queue up.
/// </summary>
public static class RoomLocks
{
    public static async Task<Room?> LockAsync(this DbSet<Room> rooms, string publicId, CancellationToken ct) =>
        (await rooms.FromSql($"""SELECT * FROM rooms WHERE "PublicId" = {publicId} FOR UPDATE""").ToListAsync(ct)).SingleOrDefault();

    public static async Task<Room?> LockAsync(this DbSet<Room> rooms, Guid roomId, CancellationToken ct) =>
        (await rooms.FromSql($"""SELECT * FROM rooms WHERE "Id" = {roomId} FOR UPDATE""").ToListAsync(ct)).SingleOrDefault();
}
