using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Moderation;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Calls.Recording;

/// <summary>One's own recording starts or stops: the room is told before the page records anything.</summary>
public sealed record SetRecordingRequest(bool Recording);

/// <summary>Told to everyone in the call: <c>Id</c> records the call on their own machine now (or no longer).</summary>
public sealed record RecordingChanged(string Id, bool Recording);

/// <summary>The host allows recording in this room, or turns it off (stopping every recording under way).</summary>
public sealed record SetRecordingAllowedRequest(bool Allowed);

public sealed record RecordingAllowedChanged(bool Allowed);

/// <summary>Pure rules of local recording with consent.</summary>
public static class RecordingRules
{
    public const string TurnedOff = "The host has turned recording off for this room.";

    /// <summary>Who is recording, as the banner and the pre-join screen say it.</summary>
    public static string Describe(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "",
        1 => $"{names[0]} is recording this call.",
        _ => $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]} are recording this call.",
    };
}

/// <summary>Recording state on the seats, changed under the room's lock together with its audit events; the recording
/// itself never leaves the recorder's browser.</summary>
public sealed class RecordingService(MeshMeetDb db, AuditedTransaction audited, TimeProvider clock, CallNotifier notifier)
{
    public async Task SetRecordingAsync(Seat seat, string? userId, bool recording, CancellationToken ct)
    {
        var changed = await audited.RunAsync(async session =>
        {
            var room = await db.Rooms.LockAsync(seat.RoomId, ct);
            var self = room is null ? null : await db.Participants.SingleOrDefaultAsync(p => p.Id == seat.ParticipantId, ct);
            if (self is null) throw new HubException(JoinRules.NotInRoom);
            if (recording && room!.RecordingOff) throw new HubException(RecordingRules.TurnedOff);
            if (self.Recording == recording) return false;
            self.Recording = recording;
            var actor = userId ?? self.Id;
            session.Events.Append(room!.Id, recording
                ? new RecordingStarted(room.PublicId, self.Id, self.DisplayName, actor, self.DisplayName, clock.GetUtcNow())
                : new RecordingStopped(room.PublicId, self.Id, self.DisplayName, actor, self.DisplayName, clock.GetUtcNow()));
            return true;
        }, ct);
        if (changed) await notifier.Room(seat.RoomId).RecordingChanged(new RecordingChanged(seat.ParticipantId, recording));
    }

    /// <summary>A host (the owner or a co-host) allows recording, or turns it off: every recording under way stops,
    /// recorded as stopped by that host.</summary>
    public async Task SetAllowedAsync(Seat seat, string? userId, bool allowed, CancellationToken ct)
    {
        var stopped = await audited.RunAsync(async session =>
        {
            var room = await db.Rooms.LockAsync(seat.RoomId, ct);
            var caller = room is null ? null : await db.Participants.SingleOrDefaultAsync(p => p.Id == seat.ParticipantId, ct);
            var verdict = ModerationRules.MayModerate(caller is not null, userId, room?.OwnerId ?? "", caller?.IsCohost ?? false);
            if (verdict != ModerationVerdict.Allowed) throw new HubException(ModerationRules.Explain(verdict));
            room!.RecordingOff = !allowed;
            var recorders = allowed ? [] : await db.Participants.Where(p => p.RoomId == room.Id && p.Recording).ToListAsync(ct);
            foreach (var p in recorders)
            {
                p.Recording = false;
                session.Events.Append(room.Id, new RecordingStopped(room.PublicId, p.Id, p.DisplayName, userId ?? caller!.Id, caller!.DisplayName, clock.GetUtcNow()));
            }
            return recorders.Select(p => p.Id).ToList();
        }, ct);
        var call = notifier.Room(seat.RoomId);
        foreach (var id in stopped) await call.RecordingChanged(new RecordingChanged(id, false));
        await call.RecordingAllowedChanged(new RecordingAllowedChanged(allowed));
    }
}

public static class RecordingData
{
    /// <summary>The names of those recording a room's call now, for its pre-join screen.</summary>
    public static async Task<IReadOnlyList<string>> RecordersAsync(this MeshMeetDb db, string publicId, CancellationToken ct)
    {
        var rooms = db.Rooms.Where(r => r.PublicId == publicId).Select(r => r.Id);
        return await db.Participants.Where(p => p.Recording && rooms.Contains(p.RoomId))
            .OrderBy(p => p.JoinedAt).Select(p => p.DisplayName).ToListAsync(ct);
    }
}

public static class RecordingSetup
{
    public static IServiceCollection AddRecording(this IServiceCollection services) => services.AddScoped<RecordingService>();
}
