using MeshMeet.Web.Accounts;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Moderation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// /hubs/signaling: admits people to calls, relays offers, answers and ICE candidates to exactly one peer in the same
/// room (storing none of it), and announces state changes. The caller's identity and room always come from the
/// connection and the database, never from the message. No state lives in the hub.
/// </summary>
[AllowAnonymous]
public sealed partial class SignalingHub(
    Presence presence, ModerationService moderation, IOptions<SignalingOptions> options, ILogger<SignalingHub> log)
    : Hub<ISignalingClient>
{
    public async Task<JoinRoomResult> JoinRoom(JoinRoomRequest request)
    {
        var (name, nameError) = NameRules.Clean(request.DisplayName, JoinRules.MaxDisplayNameLength, "Your name");
        if (nameError is not null) throw new HubException(nameError);
        if (!SecureId.LooksValid(request.RoomId)) throw RoomNotFound(request.RoomId);

        var command = new JoinCommand(request.RoomId!, name!, request.ReconnectToken, Context.User?.UserId(), Context.ConnectionId);
        string? group = null;
        JoinOutcome outcome;
        try
        {
            outcome = await presence.JoinAsync(command, g => Groups.AddToGroupAsync(Context.ConnectionId, group = g), Context.ConnectionAborted);
        }
        catch
        {
            if (group is not null) await Groups.RemoveFromGroupAsync(Context.ConnectionId, group);
            throw;
        }

        switch (outcome)
        {
            case JoinOutcome.RoomNotFound:
                throw RoomNotFound(request.RoomId);
            case JoinOutcome.Refused refused:
                throw new HubException(refused.Message);
        }
        var (self, room, peers, token, resumed, displaced) = (JoinOutcome.Admitted)outcome;
        if (displaced is not null) await Groups.RemoveFromGroupAsync(displaced, group!);
        // On a resume the others drop their old connection to this id and offer afresh.
        await Clients.OthersInGroup(group!).PeerJoined(self.AsPeerInfo());
        var o = options.Value;
        return new JoinRoomResult(self.Id, self.IsHost, room.Capacity, peers.Select(p => p.AsPeerInfo()).ToArray(),
            o.IceServers, token, room.Name, room.Locked, resumed, o.UplinkBudgetKbps);
    }

    public async Task Signal(SignalRequest request)
    {
        SignalRules.Check(request, options.Value.MaxSdpLength);
        var (from, toConnection, refusal) = await presence.RouteAsync(Context.ConnectionId, request.To!, Context.ConnectionAborted);
        if (refusal is not null) throw new HubException(refusal);
        await Clients.Client(toConnection!).Signal(new SignalMessage(from!, request.Description, request.Candidate));
    }

    public async Task SetMediaState(SetMediaStateRequest request)
    {
        var changed = await presence.SetMediaStateAsync(Context.ConnectionId, request.AudioMuted, request.VideoMuted, Context.ConnectionAborted)
            ?? throw NotInRoom();
        var (self, group) = changed;
        await Clients.OthersInGroup(group).MediaStateChanged(new MediaStateChanged(self.Id, self.AudioMuted, self.VideoMuted));
    }

    public async Task LeaveRoom(LeaveRoomRequest request)
    {
        var departure = await presence.LeaveAsync(Context.ConnectionId) ?? throw NotInRoom();
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, departure.Group);
        await Clients.Group(departure.Group).PeerLeft(new PeerLeft(departure.ParticipantId, LeaveReasons.Left));
    }

    public Task KickParticipant(KickParticipantRequest request) =>
        moderation.KickAsync(Context.ConnectionId, Context.User?.UserId(), request, Context.ConnectionAborted);

    public Task EndRoom(EndRoomRequest request) =>
        moderation.EndAsync(Context.ConnectionId, Context.User?.UserId(), Context.ConnectionAborted);

    public Task SetRoomLock(SetRoomLockRequest request) =>
        moderation.SetLockAsync(Context.ConnectionId, Context.User?.UserId(), request.Locked, Context.ConnectionAborted);

    /// <summary>A drop is not a leave yet: the seat is held for the grace period (PresenceSweeper ends it).</summary>
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await presence.MarkDisconnectedAsync(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    private HubException RoomNotFound(string? roomId)
    {
        // Not audited (there is no stream to write to), only logged; the hub rate limit bounds how often.
        LogUnknownRoom(roomId?.Length > 40 ? roomId[..40] : roomId);
        return new HubException("This room does not exist. It may have been deleted; check the link.");
    }

    private static HubException NotInRoom() => new(JoinRules.NotInRoom);

    [LoggerMessage(Level = LogLevel.Information, Message = "Join attempt for unknown room {RoomId}")]
    private partial void LogUnknownRoom(string? roomId);
}

internal static class ParticipantMapping
{
    public static PeerInfo AsPeerInfo(this Participant p) => new(p.Id, p.DisplayName, p.IsHost, p.AudioMuted, p.VideoMuted);
}
