using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Signaling;

/// <summary>Rooms' view of their calls: who is in them, and closing one when its room is deleted.</summary>
internal sealed class RoomCalls(MeshMeetDb db, CallNotifier notifier) : IRoomCalls
{
    public async Task<Func<Task>> PrepareCloseAsync(Guid roomId, CancellationToken ct)
    {
        var connections = await db.Participants
            .Where(p => p.RoomId == roomId && p.ConnectionId != null)
            .Select(p => new LiveConnection(p.Id, p.ConnectionId!, p.InstanceId))
            .ToListAsync(ct);
        return () => notifier.CloseAsync(roomId, connections, RoomClosedReasons.Deleted);
    }

    public Task LobbyChangedAsync(Guid roomId, bool enabled) => notifier.Room(roomId).LobbyEnabledChanged(new LobbyEnabledChanged(enabled));

    public async Task<IReadOnlyDictionary<Guid, int>> PresentAsync(IReadOnlyCollection<Guid> roomIds, CancellationToken ct) =>
        await db.Participants.Where(p => roomIds.Contains(p.RoomId)).GroupBy(p => p.RoomId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
}
