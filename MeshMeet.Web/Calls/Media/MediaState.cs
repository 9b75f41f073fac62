using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Calls.Media;

public sealed record SetMediaStateRequest(bool AudioMuted, bool VideoMuted, bool ScreenSharing = false);

public sealed record MediaStateChanged(string Id, bool AudioMuted, bool VideoMuted, bool ScreenSharing = false);

/// <summary>A participant's microphone, camera and screen-sharing state, stored on the seat so that newcomers read it
/// from <c>peers</c>. Only one's own, and not what the host holds off ("Ask to unmute").</summary>
public static class MediaStateStore
{
    /// <summary>Stores the state: true when it changed, false when it already was so (nothing is written, and nobody
    /// needs to hear it again); refused in words when it would turn on what the host holds off.</summary>
    public static async Task<bool> SetMediaStateAsync(this MeshMeetDb db, string participantId, SetMediaStateRequest state, CancellationToken ct)
    {
        var changed = await db.Participants.Where(p => p.Id == participantId
                && (!p.AudioHeld || state.AudioMuted) && (!p.VideoHeld || state.VideoMuted)
                && (p.AudioMuted != state.AudioMuted || p.VideoMuted != state.VideoMuted || p.ScreenSharing != state.ScreenSharing))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.AudioMuted, state.AudioMuted).SetProperty(p => p.VideoMuted, state.VideoMuted)
                .SetProperty(p => p.ScreenSharing, state.ScreenSharing), ct) > 0;
        if (changed) return true;
        // Nothing written: either nothing changed, or the host holds off what this would turn on.
        var held = await db.Participants.Where(p => p.Id == participantId).Select(p => new { p.AudioHeld, p.VideoHeld }).SingleOrDefaultAsync(ct);
        if (held is not null && MediaRules.HeldOff(held.AudioHeld, held.VideoHeld, state) is { } words) throw new HubException(words);
        return false;
    }
}

public static class MediaRules
{
    public const string MicrophoneHeld = "The host muted your microphone. Raise your hand to ask to speak.";
    public const string CameraHeld = "The host turned your camera off. Raise your hand to ask to turn it on.";

    /// <summary>The words that refuse a state turning on what the host holds off; null if it does not.</summary>
    public static string? HeldOff(bool audioHeld, bool videoHeld, SetMediaStateRequest state) =>
        audioHeld && !state.AudioMuted ? MicrophoneHeld
        : videoHeld && !state.VideoMuted ? CameraHeld
        : null;
}
