using MeshMeet.Web.Calls.Recording;
using MeshMeet.Web.Infrastructure;

namespace MeshMeet.Web.Signaling;

public sealed partial class SignalingHub
{
    /// <summary>Starts or stops one's own local recording: stored and audited, then everyone hears who records.</summary>
    [RateBucket(StateBucket.Name, StateBucket.Burst, StateBucket.PerSecond)]
    public Task SetRecording(SetRecordingRequest request, RecordingService recording) =>
        recording.SetRecordingAsync(SeatOrThrow(), UserId, request.Recording, Context.ConnectionAborted);

    /// <summary>The host allows recording in this room or turns it off.</summary>
    [RateBucket(StateBucket.Name, StateBucket.Burst, StateBucket.PerSecond)]
    public Task SetRecordingAllowed(SetRecordingAllowedRequest request, RecordingService recording) =>
        recording.SetAllowedAsync(SeatOrThrow(), UserId, request.Allowed, Context.ConnectionAborted);
}

public partial interface ISignalingClient
{
    Task RecordingChanged(RecordingChanged message);
    Task RecordingAllowedChanged(RecordingAllowedChanged message);
}
