using MeshMeet.Web.Audit;
using MeshMeet.Web.Cluster;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Admin;

/// <summary>A room with people in it now.</summary>
public sealed record LiveRoom(string Id, string Name, string Host, int People, int Connected);

/// <summary>An app instance as its last heartbeat described it.</summary>
public sealed record InstanceLoad(string Id, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, int Connections, double SignalsPerSecond);

public sealed record Overview(IReadOnlyList<LiveRoom> Rooms, IReadOnlyList<InstanceLoad> Instances, IReadOnlyList<AuditEntry> Refusals)
{
    public int People => Rooms.Sum(r => r.People);
}

/// <summary>What /admin shows: calls running now (from the database, so every instance's), each instance's load
/// (from the heartbeats), and the latest refused joins (from the audit log).</summary>
public sealed class LiveOverview(MeshMeetDb db, AuditQueries audit)
{
    public async Task<Overview> ReadAsync(CancellationToken ct = default)
    {
        var rooms = await db.Rooms.AsNoTracking()
            // Inside a query the sets are named as Set<T>() (expression trees cannot hold extension properties).
            .Where(r => db.Set<Participant>().Any(p => p.RoomId == r.Id))
            .Select(r => new LiveRoom(r.PublicId, r.Name,
                db.Users.Where(u => u.Id == r.OwnerId).Select(u => u.UserName).FirstOrDefault() ?? "(deleted account)",
                db.Set<Participant>().Count(p => p.RoomId == r.Id),
                db.Set<Participant>().Count(p => p.RoomId == r.Id && p.ConnectionId != null)))
            .ToListAsync(ct);
        rooms = rooms.OrderByDescending(r => r.People).ThenBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        var instances = await db.Instances.AsNoTracking().OrderBy(i => i.StartedAt)
            .Select(i => new InstanceLoad(i.Id, i.StartedAt, i.HeartbeatAt, i.Connections, i.SignalsPerSecond))
            .ToListAsync(ct);
        return new Overview(rooms, instances, await audit.LatestAsync<JoinRefused>(10, ct));
    }
}
