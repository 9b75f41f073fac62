using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Moderation;

/// <summary>
/// Kick, end and lock: each checks ownership against the database inside the transaction that makes the change and
/// records it, then tells the people affected.
/// </summary>
public sealed class ModerationService(
    MeshMeetDb db, AuditedTransaction audited, TimeProvider clock,
    IHubContext<SignalingHub, ISignalingClient> hub)
{
    public async Task KickAsync(string connectionId, string? userId, KickParticipantRequest request, CancellationToken ct)
    {
        var kick = await audited.RunAsync(async session =>
        {
            var (caller, room) = await CallerAndLockedRoomAsync(connectionId, ct);
            var target = caller is null || request.ParticipantId is null ? null
                : await db.Participants.SingleOrDefaultAsync(p => p.Id == request.ParticipantId && p.RoomId == caller.RoomId, ct);
            var verdict = ModerationRules.MayKick(caller is not null, userId, room?.OwnerId ?? "", caller?.Id ?? "", request.ParticipantId, target is not null);
            if (verdict != ModerationVerdict.Allowed) throw new HubException(ModerationRules.Explain(verdict));

            var now = clock.GetUtcNow();
            db.Participants.Remove(target!);
            // The kicked browser's token is barred, so a reload cannot walk straight back in.
            db.RoomBans.Add(new RoomBan { RoomId = room!.Id, TokenHash = target!.ReconnectTokenHash, At = now });
            session.Events.Append(room.Id, new ParticipantKicked(room.PublicId, target.Id, target.DisplayName, userId!, caller!.DisplayName, now));
            var lockNow = request.LockRoom && !room.Locked;
            if (lockNow)
            {
                room.Locked = true;
                session.Events.Append(room.Id, new RoomLocked(room.PublicId, userId!, caller.DisplayName, now));
            }
            return (Target: target, Group: Presence.GroupName(room.Id), Locked: lockNow);
        }, ct);

        // Out of the group first: once this call returns, the kicked connection hears nothing more from the room.
        if (kick.Target.ConnectionId is { } targetConnection)
        {
            await hub.Groups.RemoveFromGroupAsync(targetConnection, kick.Group, ct);
            await hub.Clients.Client(targetConnection).Kicked(new Kicked("The host removed you from the call."));
        }
        await hub.Clients.Group(kick.Group).PeerLeft(new PeerLeft(kick.Target.Id, LeaveReasons.Kicked));
        if (kick.Locked) await hub.Clients.Group(kick.Group).RoomLockChanged(new RoomLockChanged(true));
    }

    public async Task EndAsync(string connectionId, string? userId, CancellationToken ct)
    {
        var (roomId, connections) = await audited.RunAsync(async session =>
        {
            var (caller, room) = await AuthorizeAsync(connectionId, userId, ct);
            var everyone = await db.Participants.Where(p => p.RoomId == room.Id).ToListAsync(ct);
            db.Participants.RemoveRange(everyone);
            session.Events.Append(room.Id, new RoomEnded(room.PublicId, userId!, caller.DisplayName, everyone.Count, clock.GetUtcNow()));
            return (room.Id, everyone.Select(p => p.ConnectionId).OfType<string>().ToList());
        }, ct);
        await CloseCallAsync(hub, roomId, connections, CallClosedReason.Ended, ct);
    }

    public async Task SetLockAsync(string connectionId, string? userId, bool locked, CancellationToken ct)
    {
        var group = await audited.RunAsync(async session =>
        {
            var (caller, room) = await AuthorizeAsync(connectionId, userId, ct);
            if (room.Locked != locked)
            {
                room.Locked = locked;
                var now = clock.GetUtcNow();
                session.Events.Append(room.Id, locked
                    ? new RoomLocked(room.PublicId, userId!, caller.DisplayName, now)
                    : new RoomUnlocked(room.PublicId, userId!, caller.DisplayName, now));
            }
            return Presence.GroupName(room.Id);
        }, ct);
        await hub.Clients.Group(group).RoomLockChanged(new RoomLockChanged(locked));
    }

    /// <summary>Tells everyone in a call that it is over and takes their connections out of the room's group.</summary>
    public static async Task CloseCallAsync(IHubContext<SignalingHub, ISignalingClient> hub, Guid roomId,
        IEnumerable<string> connections, CallClosedReason reason, CancellationToken ct)
    {
        var group = Presence.GroupName(roomId);
        var words = reason == CallClosedReason.Deleted ? "deleted" : "ended";
        await hub.Clients.Group(group).RoomClosed(new RoomClosed(words));
        foreach (var connection in connections)
            await hub.Groups.RemoveFromGroupAsync(connection, group, ct);
    }

    private async Task<(Participant Caller, Room Room)> AuthorizeAsync(string connectionId, string? userId, CancellationToken ct)
    {
        var (caller, room) = await CallerAndLockedRoomAsync(connectionId, ct);
        var verdict = ModerationRules.MayModerate(caller is not null, userId, room?.OwnerId ?? "");
        if (verdict != ModerationVerdict.Allowed) throw new HubException(ModerationRules.Explain(verdict));
        return (caller!, room!);
    }

    private async Task<(Participant? Caller, Room? Room)> CallerAndLockedRoomAsync(string connectionId, CancellationToken ct)
    {
        var roomId = await db.Participants.Where(p => p.ConnectionId == connectionId).Select(p => (Guid?)p.RoomId).SingleOrDefaultAsync(ct);
        if (roomId is null) return (null, null);
        var room = await db.Rooms.LockAsync(roomId.Value, ct);
        // Re-read under the lock: a kick or end that committed meanwhile may have removed the caller.
        var caller = await db.Participants.SingleOrDefaultAsync(p => p.ConnectionId == connectionId, ct);
        return (caller, room);
    }
}

/// <summary>Closes a live call when its room is deleted (Rooms calls this after the delete commits).</summary>
internal sealed class HubCallCloser(IHubContext<SignalingHub, ISignalingClient> hub) : IRoomCallCloser
{
    public Task CloseAsync(Guid roomId, IReadOnlyList<string> connections, CallClosedReason reason, CancellationToken ct) =>
        ModerationService.CloseCallAsync(hub, roomId, connections, reason, ct);
}
