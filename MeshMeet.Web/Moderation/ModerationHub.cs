using MeshMeet.Web.Moderation;

namespace MeshMeet.Web.Signaling;

public sealed record KickParticipantRequest(string? ParticipantId, bool LockRoom = false);

public sealed record EndRoomRequest;

public sealed record SetRoomLockRequest(bool Locked);

public sealed record RoomLockChanged(bool Locked);

/// <summary>The owner makes a participant co-host for this call (<c>Cohost</c> true) or takes it back.</summary>
public sealed record SetCohostRequest(string? ParticipantId, bool Cohost);

/// <summary>Told to everyone in the call: who moderates it besides the owner changed.</summary>
public sealed record CohostChanged(string Id, bool Cohost);

/// <summary>The host's actions in a call; who may (the owner, or a co-host of this call) is checked against the database
/// by <see cref="ModerationService"/>.</summary>
public sealed partial class SignalingHub
{
    public Task KickParticipant(KickParticipantRequest request, ModerationService moderation) =>
        moderation.KickAsync(SeatOrThrow(), UserId, request, Context.ConnectionAborted);

    public Task EndRoom(EndRoomRequest request, ModerationService moderation) =>
        moderation.EndAsync(SeatOrThrow(), UserId, Context.ConnectionAborted);

    public Task SetRoomLock(SetRoomLockRequest request, ModerationService moderation) =>
        moderation.SetLockAsync(SeatOrThrow(), UserId, request.Locked, Context.ConnectionAborted);

    public Task SetCohost(SetCohostRequest request, ModerationService moderation) =>
        moderation.SetCohostAsync(SeatOrThrow(), UserId, request, Context.ConnectionAborted);
}

public partial interface ISignalingClient
{
    Task RoomLockChanged(RoomLockChanged message);
    Task CohostChanged(CohostChanged message);
}
