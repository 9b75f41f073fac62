using MeshMeet.Web.Moderation;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

public sealed record KickParticipantRequest(string? ParticipantId, bool LockRoom = false);

public sealed record EndRoomRequest;

public sealed record SetRoomLockRequest(bool Locked);

public sealed record RoomLockChanged(bool Locked);

/// <summary>The owner makes a participant co-host for this call (<c>Cohost</c> true) or takes it back.</summary>
public sealed record SetCohostRequest(string? ParticipantId, bool Cohost);

/// <summary>Told to everyone in the call: who moderates it besides the owner changed.</summary>
public sealed record CohostChanged(string Id, bool Cohost);

/// <summary>The host turns "Ask to join" on or off from the call.</summary>
public sealed record SetLobbyRequest(bool Enabled);

/// <summary>Lets one waiting guest (their knock's <c>Id</c> from LobbyChanged) in.</summary>
public sealed record AdmitGuestRequest(string? Id);

/// <summary>Lets everyone waiting in.</summary>
public sealed record AdmitAllRequest;

/// <summary>Turns a waiting guest away; <c>Reason</c> (optional, up to 200 characters) is what they read.</summary>
public sealed record DenyGuestRequest(string? Id, string? Reason = null);

/// <summary><c>Kind</c> "audio" turns the microphone off, "video" the camera.</summary>
public sealed record MuteParticipantRequest(string? ParticipantId, string? Kind);

/// <summary>Mutes every microphone in the call but the owner's and the co-hosts'.</summary>
public sealed record MuteAllRequest;

public sealed record AllowToSpeakRequest(string? ParticipantId);

/// <summary>Told to everyone in the call: <c>By</c> (a host's name) turned <c>Id</c>'s microphone or camera off; with
/// <c>Held</c> it stays off until the host allows it. Every page stops playing it.</summary>
public sealed record MutedByHost(string Id, string Kind, string By, bool Held);

/// <summary>Told to everyone in the call: the host allows <c>Id</c> to turn their microphone and camera on again (their
/// hand is down).</summary>
public sealed record AllowedToSpeak(string Id);

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

    public Task SetLobby(SetLobbyRequest request, ModerationService moderation) =>
        moderation.SetLobbyAsync(SeatOrThrow(), UserId, request.Enabled, Context.ConnectionAborted);

    public Task AdmitGuest(AdmitGuestRequest request, ModerationService moderation) =>
        moderation.AdmitAsync(SeatOrThrow(), UserId, request.Id ?? throw new HubException(ModerationDecider.NoLongerWaiting), Context.ConnectionAborted);

    public Task AdmitAll(AdmitAllRequest request, ModerationService moderation) =>
        moderation.AdmitAsync(SeatOrThrow(), UserId, null, Context.ConnectionAborted);

    public Task DenyGuest(DenyGuestRequest request, ModerationService moderation) =>
        moderation.DenyAsync(SeatOrThrow(), UserId, request, Context.ConnectionAborted);

    public Task MuteParticipant(MuteParticipantRequest request, ModerationService moderation) =>
        moderation.MuteAsync(SeatOrThrow(), UserId, request, Context.ConnectionAborted);

    public Task MuteAll(MuteAllRequest request, ModerationService moderation) =>
        moderation.MuteAllAsync(SeatOrThrow(), UserId, Context.ConnectionAborted);

    public Task AllowToSpeak(AllowToSpeakRequest request, ModerationService moderation) =>
        moderation.AllowToSpeakAsync(SeatOrThrow(), UserId, request, Context.ConnectionAborted);
}

public partial interface ISignalingClient
{
    Task RoomLockChanged(RoomLockChanged message);
    Task CohostChanged(CohostChanged message);
    Task MutedByHost(MutedByHost message);
    Task AllowedToSpeak(AllowedToSpeak message);
}
