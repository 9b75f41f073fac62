using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Calls.Media;

public sealed record SetMediaStateRequest(bool AudioMuted, bool VideoMuted, bool ScreenSharing = false);

public sealed record MediaStateChanged(string Id, bool AudioMuted, bool VideoMuted, bool ScreenSharing = false);

/// <summary>A participant's microphone, camera and screen-sharing state, stored on the seat so that newcomers read it
/// from <c>peers</c>. Only one's own.</summary>
public static class MediaStateStore
{
    /// <summary>Stores the state; false when it already was so (nothing is written, and nobody needs to hear it again).</summary>
    public static async Task<bool> SetMediaStateAsync(this MeshMeetDb db, string participantId, SetMediaStateRequest state, CancellationToken ct) =>
        await db.Participants.Where(p => p.Id == participantId
                && (p.AudioMuted != state.AudioMuted || p.VideoMuted != state.VideoMuted || p.ScreenSharing != state.ScreenSharing))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.AudioMuted, state.AudioMuted).SetProperty(p => p.VideoMuted, state.VideoMuted)
                .SetProperty(p => p.ScreenSharing, state.ScreenSharing), ct) > 0;
}
