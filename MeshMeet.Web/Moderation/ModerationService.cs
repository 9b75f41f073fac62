using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Moderation;

/// <summary>
/// Kick, end, lock and co-hosts: each reads its facts under the room's lock, lets <see cref="ModerationDecider"/> decide, applies
/// and appends the events in that one transaction; <see cref="CallNotifier"/> then tells the people affected.
/// </summary>
public sealed class ModerationService(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, CallNotifier notifier,
    Telemetry.MeshMeetMetrics metrics)
{
    public async Task KickAsync(Seat callerSeat, string? userId, KickParticipantRequest request, CancellationToken ct)
    {
        var kick = await audited.RunAsync(async session =>
        {
            var (facts, room, caller) = await FactsAsync(callerSeat, userId, ct);
            var target = caller is null || request.ParticipantId is null ? null
                : await db.Participants.SingleOrDefaultAsync(p => p.Id == request.ParticipantId && p.RoomId == caller.RoomId, ct);
            var decision = ModerationDecider.Kick(facts, request.ParticipantId, target is null ? null : (target.Id, target.DisplayName), request.LockRoom,
                targetIsOwner: target?.UserId is { } owner && owner == room!.OwnerId);
            if (decision.Refusal is not null) throw new HubException(decision.Refusal);

            db.Participants.Remove(target!);
            // The kicked browser's token and cookie id are barred, so neither a reload nor forgetting the token gets
            // it back in.
            db.RoomBans.Add(new RoomBan { RoomId = room!.Id, TokenHash = target!.ReconnectTokenHash, At = facts.At });
            if (target.BrowserHash is { } browser && browser != caller!.BrowserHash)
                db.RoomBans.Add(new RoomBan { RoomId = room.Id, TokenHash = browser, At = facts.At });
            var locks = decision.Events.OfType<RoomLocked>().Any();
            if (locks) room.Locked = true;
            session.Events.Append(room.Id, decision.Events);
            return (Departure: new Departure(room.Id, target.Id, target.Live(), LeaveReasons.Kicked), Locked: locks);
        }, ct);

        await notifier.DepartedAsync(kick.Departure, CallNotifier.KickedWords);
        metrics.Kicked();
        if (kick.Locked) await notifier.Room(kick.Departure.RoomId).RoomLockChanged(new RoomLockChanged(true));
    }

    public async Task EndAsync(Seat callerSeat, string? userId, CancellationToken ct)
    {
        var (roomId, connections) = await audited.RunAsync(async session =>
        {
            var (facts, room, _) = await FactsAsync(callerSeat, userId, ct);
            return (room?.Id ?? Guid.Empty, await EndCallAsync(session, room, facts, ct));
        }, ct);
        await notifier.CloseAsync(roomId, connections, RoomClosedReasons.Ended);
    }

    /// <summary>An admin closes a live call (the admin overview), with the owner's rights: recorded as ended by that
    /// admin. False if there is no such room.</summary>
    public async Task<bool> CloseAsAdminAsync(Rooms.Host admin, string publicId, CancellationToken ct)
    {
        if (!SecureId.LooksValid(publicId)) return false;
        var closed = await audited.RunAsync(async session =>
        {
            var room = await db.Rooms.LockAsync(publicId, ct);
            if (room is null) return null;
            var facts = new ModerationFacts(room.PublicId, admin.UserId, room.Locked, admin.UserId, $"{admin.Name} (admin)", admin.UserId, clock.GetUtcNow());
            return new { room.Id, Connections = await EndCallAsync(session, room, facts, ct) };
        }, ct);
        if (closed is null) return false;
        await notifier.CloseAsync(closed.Id, closed.Connections, RoomClosedReasons.Ended);
        return true;
    }

    /// <summary>Everyone leaves the locked room's call, if the facts allow; returns their connections.</summary>
    private async Task<List<LiveConnection>> EndCallAsync(Marten.IDocumentSession session, Room? room, ModerationFacts facts, CancellationToken ct)
    {
        var everyone = room is null ? [] : await db.Participants.Where(p => p.RoomId == room.Id).ToListAsync(ct);
        var decision = ModerationDecider.End(facts, everyone.Count);
        if (decision.Refusal is not null) throw new HubException(decision.Refusal);
        db.Participants.RemoveRange(everyone);
        session.Events.Append(room!.Id, decision.Events);
        return everyone.Select(p => p.Live()).OfType<LiveConnection>().ToList();
    }

    public async Task SetLockAsync(Seat callerSeat, string? userId, bool locked, CancellationToken ct)
    {
        var roomId = await audited.RunAsync(async session =>
        {
            var (facts, room, _) = await FactsAsync(callerSeat, userId, ct);
            var decision = ModerationDecider.SetLock(facts, locked);
            if (decision.Refusal is not null) throw new HubException(decision.Refusal);
            room!.Locked = locked;
            if (decision.Events.Count > 0) session.Events.Append(room.Id, decision.Events);
            return room.Id;
        }, ct);
        await notifier.Room(roomId).RoomLockChanged(new RoomLockChanged(locked));
    }

    public async Task SetCohostAsync(Seat callerSeat, string? userId, SetCohostRequest request, CancellationToken ct)
    {
        var roomId = await audited.RunAsync(async session =>
        {
            var (facts, room, caller) = await FactsAsync(callerSeat, userId, ct);
            var target = caller is null || request.ParticipantId is null ? null
                : await db.Participants.SingleOrDefaultAsync(p => p.Id == request.ParticipantId && p.RoomId == caller.RoomId, ct);
            var decision = ModerationDecider.SetCohost(facts, request.ParticipantId,
                target is null ? null : (target.Id, target.DisplayName, target.IsCohost), request.Cohost);
            if (decision.Refusal is not null) throw new HubException(decision.Refusal);
            target!.IsCohost = request.Cohost;
            if (decision.Events.Count > 0) session.Events.Append(room!.Id, decision.Events);
            return room!.Id;
        }, ct);
        await notifier.Room(roomId).CohostChanged(new CohostChanged(request.ParticipantId!, request.Cohost));
    }

    /// <summary>The room, locked, and the caller as seated in it; read under the lock, since a kick or end that
    /// committed meanwhile may have removed the caller.</summary>
    private async Task<(ModerationFacts Facts, Room? Room, Participant? Caller)> FactsAsync(Seat callerSeat, string? userId, CancellationToken ct)
    {
        var room = await db.Rooms.LockAsync(callerSeat.RoomId, ct);
        var caller = room is null ? null : await db.Participants.SingleOrDefaultAsync(p => p.Id == callerSeat.ParticipantId, ct);
        var facts = new ModerationFacts(room?.PublicId ?? "", room?.OwnerId ?? "", room?.Locked ?? false, caller?.Id, caller?.DisplayName,
            userId, clock.GetUtcNow(), caller?.IsCohost ?? false);
        return (facts, room, caller);
    }
}

public static class ModerationSetup
{
    public static IServiceCollection AddModeration(this IServiceCollection services) => services.AddScoped<ModerationService>();
}
