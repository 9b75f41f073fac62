using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Moderation;

/// <summary>
/// Kick, end and lock: each checks ownership against the database inside the transaction that makes the change and
/// records it; <see cref="CallNotifier"/> then tells the people affected.
/// </summary>
public sealed class ModerationService(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, CallNotifier notifier,
    Telemetry.MeshMeetMetrics metrics)
{
    public async Task KickAsync(Seat callerSeat, string? userId, KickParticipantRequest request, CancellationToken ct)
    {
        var kick = await audited.RunAsync(async session =>
        {
            var (caller, room) = await CallerAndLockedRoomAsync(callerSeat, ct);
            var target = caller is null || request.ParticipantId is null ? null
                : await db.Participants.SingleOrDefaultAsync(p => p.Id == request.ParticipantId && p.RoomId == caller.RoomId, ct);
            var verdict = ModerationRules.MayKick(caller is not null, userId, room?.OwnerId ?? "", caller?.Id ?? "", request.ParticipantId, target is not null);
            if (verdict != ModerationVerdict.Allowed) throw new HubException(ModerationRules.Explain(verdict));

            var now = clock.GetUtcNow();
            db.Participants.Remove(target!);
            // The kicked browser's token and cookie id are barred, so neither a reload nor forgetting the token gets
            // it back in.
            db.RoomBans.Add(new RoomBan { RoomId = room!.Id, TokenHash = target!.ReconnectTokenHash, At = now });
            if (target.BrowserHash is { } browser && browser != caller!.BrowserHash)
                db.RoomBans.Add(new RoomBan { RoomId = room.Id, TokenHash = browser, At = now });
            session.Events.Append(room.Id, new ParticipantKicked(room.PublicId, target.Id, target.DisplayName, userId!, caller!.DisplayName, now));
            var lockNow = request.LockRoom && !room.Locked;
            if (lockNow)
            {
                room.Locked = true;
                session.Events.Append(room.Id, new RoomLocked(room.PublicId, userId!, caller.DisplayName, now));
            }
            return (Departure: new Departure(room.Id, target.Id, target.Live(), LeaveReasons.Kicked), Locked: lockNow);
        }, ct);

        await notifier.DepartedAsync(kick.Departure, CallNotifier.KickedWords);
        metrics.Kicked();
        if (kick.Locked) await notifier.LockChangedAsync(kick.Departure.RoomId, true);
    }

    public async Task EndAsync(Seat callerSeat, string? userId, CancellationToken ct)
    {
        var (roomId, connections) = await audited.RunAsync(async session =>
        {
            var (caller, room) = await AuthorizeAsync(callerSeat, userId, ct);
            return (room.Id, await EndCallAsync(session, room, userId!, caller.DisplayName, ct));
        }, ct);
        await notifier.CloseAsync(roomId, connections, CallClosedReason.Ended, ct);
    }

    /// <summary>An admin closes a live call (the admin overview): recorded as ended by that admin. False if there
    /// is no such room.</summary>
    public async Task<bool> CloseAsAdminAsync(Rooms.Host admin, string publicId, CancellationToken ct)
    {
        if (!SecureId.LooksValid(publicId)) return false;
        var closed = await audited.RunAsync(async session =>
        {
            var room = await db.Rooms.LockAsync(publicId, ct);
            return room is null ? null : new { room.Id, Connections = await EndCallAsync(session, room, admin.UserId, $"{admin.Name} (admin)", ct) };
        }, ct);
        if (closed is null) return false;
        await notifier.CloseAsync(closed.Id, closed.Connections, CallClosedReason.Ended, ct);
        return true;
    }

    /// <summary>Everyone leaves the locked room's call, recorded as ended by the actor; returns their connections.</summary>
    private async Task<List<LiveConnection>> EndCallAsync(Marten.IDocumentSession session, Room room, string actorId, string actorName, CancellationToken ct)
    {
        var everyone = await db.Participants.Where(p => p.RoomId == room.Id).ToListAsync(ct);
        db.Participants.RemoveRange(everyone);
        session.Events.Append(room.Id, new RoomEnded(room.PublicId, actorId, actorName, everyone.Count, clock.GetUtcNow()));
        return everyone.Select(p => p.Live()).OfType<LiveConnection>().ToList();
    }

    public async Task SetLockAsync(Seat callerSeat, string? userId, bool locked, CancellationToken ct)
    {
        var roomId = await audited.RunAsync(async session =>
        {
            var (caller, room) = await AuthorizeAsync(callerSeat, userId, ct);
            if (room.Locked != locked)
            {
                room.Locked = locked;
                var now = clock.GetUtcNow();
                session.Events.Append(room.Id, locked
                    ? new RoomLocked(room.PublicId, userId!, caller.DisplayName, now)
                    : new RoomUnlocked(room.PublicId, userId!, caller.DisplayName, now));
            }
            return room.Id;
        }, ct);
        await notifier.LockChangedAsync(roomId, locked);
    }

    private async Task<(Participant Caller, Room Room)> AuthorizeAsync(Seat callerSeat, string? userId, CancellationToken ct)
    {
        var (caller, room) = await CallerAndLockedRoomAsync(callerSeat, ct);
        var verdict = ModerationRules.MayModerate(caller is not null, userId, room?.OwnerId ?? "");
        if (verdict != ModerationVerdict.Allowed) throw new HubException(ModerationRules.Explain(verdict));
        return (caller!, room!);
    }

    private async Task<(Participant? Caller, Room? Room)> CallerAndLockedRoomAsync(Seat callerSeat, CancellationToken ct)
    {
        var room = await db.Rooms.LockAsync(callerSeat.RoomId, ct);
        // Read under the lock: a kick or end that committed meanwhile may have removed the caller.
        var caller = room is null ? null : await db.Participants.SingleOrDefaultAsync(p => p.Id == callerSeat.ParticipantId, ct);
        return (caller, room);
    }
}
