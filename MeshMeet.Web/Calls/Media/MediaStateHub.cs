using MeshMeet.Web.Calls.Media;
using MeshMeet.Web.Infrastructure;

namespace MeshMeet.Web.Signaling;

public sealed partial class SignalingHub
{
    /// <summary>Mute, camera and screen sharing: stored, then told to the others (the sender knows).</summary>
    [RateBucket(StateBucket.Name, StateBucket.Burst, StateBucket.PerSecond)]
    public async Task SetMediaState(SetMediaStateRequest request, MeshMeetDb db)
    {
        using var pass = EnterSeat();
        var seat = pass.Seat;
        if (!await db.SetMediaStateAsync(seat.ParticipantId, request, Context.ConnectionAborted)) return;
        await notifier.Others(seat).MediaStateChanged(new MediaStateChanged(seat.ParticipantId, request.AudioMuted, request.VideoMuted, request.ScreenSharing));
    }
}

public partial interface ISignalingClient
{
    Task MediaStateChanged(MediaStateChanged message);
}
