using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Moderation;

/// <summary>
/// Kick, end, lock, co-hosts, the lobby and muting others: each reads its facts under the room's lock, lets <see cref="ModerationDecider"/> decide, applies
/// and appends the events in that one transaction; <see cref="CallNotifier"/> then tells the people affected.
/// </summary>
public sealed class ModerationService(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, CallNotifier notifier,
    Telemetry.MeshMeetMetrics metrics, LobbyBoard lobby)
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
            session.Events.Append(room.Id, [.. target.RecordingEnd(room.PublicId, facts.Actor, facts.CallerName!, facts.At), .. decision.Events]);
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
        session.Events.Append(room!.Id, [.. everyone.SelectMany(p => p.RecordingEnd(room.PublicId, facts.Actor, facts.CallerName!, facts.At)), .. decision.Events]);
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
        if (request.Cohost) await lobby.TellModeratorsAsync(roomId, ct); // a new co-host sees who waits
    }

    /// <summary>Turns "Ask to join" on or off for the room. Turning it off lets in everyone waiting, if they fit.</summary>
    public async Task SetLobbyAsync(Seat callerSeat, string? userId, bool enabled, CancellationToken ct)
    {
        var roomId = await audited.RunAsync(async session =>
        {
            var (facts, room, _) = await FactsAsync(callerSeat, userId, ct);
            if (facts.MayModerate() is var verdict && verdict != ModerationVerdict.Allowed) throw new HubException(ModerationRules.Explain(verdict));
            room!.Lobby = enabled;
            return room.Id;
        }, ct);
        await notifier.Room(roomId).LobbyEnabledChanged(new LobbyEnabledChanged(enabled));
        if (!enabled && (await db.WaitingAsync(roomId, ct)).Count > 0)
        {
            try { await AdmitAsync(callerSeat, userId, null, ct); }
            catch (HubException) { } // they do not all fit: they stay on the host's list, to be let in one by one
        }
    }

    /// <summary>Lets one waiting guest in, or (<paramref name="knockId"/> null) everyone waiting: each gets a ticket
    /// that takes a seat through the usual join.</summary>
    public async Task AdmitAsync(Seat callerSeat, string? userId, string? knockId, CancellationToken ct)
    {
        var (roomId, tickets) = await audited.RunAsync(async session =>
        {
            var (facts, room, _) = await FactsAsync(callerSeat, userId, ct);
            var knocks = room is null ? [] : await db.LobbyKnocks.Where(k => k.RoomId == room.Id && (knockId == null || k.Id == knockId)).ToListAsync(ct);
            var waiting = knocks.Where(k => k.DecidedAt is null).OrderBy(k => k.Since).ToList();
            var seatsLeft = 0;
            if (room is not null)
            {
                var seated = await db.Participants.Where(p => p.RoomId == room.Id).Select(p => p.UserId).ToListAsync(ct);
                var promised = await db.LobbyKnocks.CountAsync(k => k.RoomId == room.Id && k.TicketHash != null && k.DecidedAt > facts.At - LobbyRules.TicketLife, ct);
                seatsLeft = JoinRules.SeatsLeft(seated.Count, room.Capacity, seated.Contains(room.OwnerId), promised);
            }
            var decision = ModerationDecider.Admit(facts, waiting.Select(k => new Knocker(k.Id, k.DisplayName, k.Since)).ToList(), seatsLeft);
            if (decision.Refusal is not null) throw new HubException(decision.Refusal);
            var tickets = new List<(string KnockId, string Ticket)>();
            foreach (var knock in waiting)
            {
                var ticket = SecureId.New(32);
                knock.TicketHash = SecureId.Hash(ticket);
                knock.DecidedAt = facts.At;
                tickets.Add((knock.Id, ticket));
            }
            session.Events.Append(room!.Id, decision.Events);
            return (room.Id, tickets);
        }, ct);
        foreach (var (id, ticket) in tickets) await lobby.AdmittedAsync(roomId, id, ticket);
        await lobby.TellModeratorsAsync(roomId, ct);
    }

    /// <summary>Turns a waiting guest away: they read why, and that browser cannot knock again for a while.</summary>
    public async Task DenyAsync(Seat callerSeat, string? userId, DenyGuestRequest request, CancellationToken ct)
    {
        var (roomId, denied) = await audited.RunAsync(async session =>
        {
            var (facts, room, _) = await FactsAsync(callerSeat, userId, ct);
            var knock = room is null || request.Id is null ? null
                : await db.LobbyKnocks.SingleOrDefaultAsync(k => k.Id == request.Id && k.RoomId == room.Id && k.DecidedAt == null, ct);
            var decision = ModerationDecider.Deny(facts, knock is null ? null : new Knocker(knock.Id, knock.DisplayName, knock.Since), request.Reason);
            if (decision.Refusal is not null) throw new HubException(decision.Refusal);
            knock!.Denied = true;
            knock.DecidedAt = facts.At;
            session.Events.Append(room!.Id, decision.Events);
            return (room.Id, (GuestDenied)decision.Events[0]);
        }, ct);
        await lobby.DeniedAsync(roomId, denied.KnockId, denied.Reason);
        await lobby.TellModeratorsAsync(roomId, ct);
    }

    /// <summary>Turns one person's microphone or camera off.</summary>
    public Task MuteAsync(Seat callerSeat, string? userId, MuteParticipantRequest request, CancellationToken ct) =>
        MuteSomeAsync(callerSeat, userId, (facts, room, seated) => ModerationDecider.Mute(facts, request.ParticipantId,
            seated.FirstOrDefault(t => t.Id == request.ParticipantId), request.Kind, room.AskToUnmute), ct);

    /// <summary>Mutes every microphone but the moderators'.</summary>
    public Task MuteAllAsync(Seat callerSeat, string? userId, CancellationToken ct) =>
        MuteSomeAsync(callerSeat, userId, (facts, room, seated) => ModerationDecider.MuteAll(facts, seated, room.AskToUnmute), ct);

    /// <summary>Applies what a mute decided to the seats, then tells everyone in the call (each page stops playing what
    /// the host turned off, whatever the muted person's page does).</summary>
    private async Task MuteSomeAsync(Seat callerSeat, string? userId, Func<ModerationFacts, Room, IReadOnlyList<MuteTarget>, ModerationDecision> decide,
        CancellationToken ct)
    {
        var (roomId, muted) = await audited.RunAsync(async session =>
        {
            var (facts, room, caller) = await FactsAsync(callerSeat, userId, ct);
            var seated = caller is null ? [] : await db.Participants.Where(p => p.RoomId == room!.Id).ToListAsync(ct);
            var decision = caller is null ? ModerationDecision.Refuse(ModerationVerdict.NotInRoom)
                : decide(facts, room!, seated.Select(p => p.AsMuteTarget(room!.OwnerId)).ToList());
            if (decision.Refusal is not null) throw new HubException(decision.Refusal);
            var events = decision.Events.Cast<ParticipantMutedByHost>().ToList();
            foreach (var e in events)
            {
                var p = seated.Single(p => p.Id == e.ParticipantId);
                if (e.Kind == MuteKinds.Audio) (p.AudioMuted, p.AudioHeld) = (true, e.Held);
                else (p.VideoMuted, p.VideoHeld) = (true, e.Held);
            }
            if (events.Count > 0) session.Events.Append(room!.Id, events);
            return (room!.Id, events);
        }, ct);
        foreach (var e in muted) await notifier.Room(roomId).MutedByHost(new MutedByHost(e.ParticipantId, e.Kind, e.ActorName, e.Held));
    }

    /// <summary>Lets someone the host muted turn their microphone and camera on again; their hand goes down.</summary>
    public async Task AllowToSpeakAsync(Seat callerSeat, string? userId, AllowToSpeakRequest request, CancellationToken ct)
    {
        var roomId = await audited.RunAsync(async session =>
        {
            var (facts, room, caller) = await FactsAsync(callerSeat, userId, ct);
            var target = caller is null || request.ParticipantId is null ? null
                : await db.Participants.SingleOrDefaultAsync(p => p.Id == request.ParticipantId && p.RoomId == caller.RoomId, ct);
            var decision = ModerationDecider.AllowToSpeak(facts, target?.AsMuteTarget(room!.OwnerId));
            if (decision.Refusal is not null) throw new HubException(decision.Refusal);
            (target!.AudioHeld, target.VideoHeld, target.HandRaised) = (false, false, false);
            session.Events.Append(room!.Id, decision.Events);
            return room.Id;
        }, ct);
        await notifier.Room(roomId).AllowedToSpeak(new AllowedToSpeak(request.ParticipantId!));
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

internal static class MuteTargets
{
    public static MuteTarget AsMuteTarget(this Participant p, string ownerId) =>
        new(p.Id, p.DisplayName, p.UserId is not null && p.UserId == ownerId, p.IsCohost, p.AudioMuted, p.VideoMuted, p.AudioHeld, p.VideoHeld);
}

public static class ModerationSetup
{
    public static IServiceCollection AddModeration(this IServiceCollection services) => services.AddScoped<ModerationService>();
}
