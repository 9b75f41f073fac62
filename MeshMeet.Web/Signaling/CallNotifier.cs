using MeshMeet.Web.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>A participant who is no longer in a call, why, and the connection that held the seat (if any).</summary>
public sealed record Departure(Guid RoomId, string ParticipantId, string? ConnectionId, string Reason);

/// <summary>
/// The one place that turns committed changes into hub messages and routing state. Services decide and commit; this
/// tells the people affected, in an order that keeps the promises: a departing connection's seat is revoked (and its
/// relays under way have finished) before anyone hears that it left, so nothing it sent arrives afterwards.
/// <para>Several instances: revocations become a notice to every instance (each revokes the seats it holds); group
/// sends and group membership already cross instances through the SignalR backplane.</para>
/// </summary>
public sealed class CallNotifier(IHubContext<SignalingHub, ISignalingClient> hub, SeatRegistry seats) : IRoomCallCloser
{
    public const string KickedWords = "The host removed you from the call.";

    /// <summary>After a committed join or resume: the connection holds its seat, the others hear of it.</summary>
    public async Task AdmittedAsync(string connectionId, JoinOutcome.Admitted admitted)
    {
        var room = admitted.Room.Id;
        seats.Seat(connectionId, admitted.Self.Id, room, admitted.Self.DisplayName, admitted.Peers.Select(p => p.Id));
        // On a resume the old connection (another tab, or a page that is unloading) loses the identity.
        if (admitted.Displaced is { } displaced) await UnseatAsync(displaced, room, admitted.Self.Id);
        // Only those seated before: they offer to the newcomer. Anyone seated after already has the newcomer in the
        // peers of their own join, so each pair negotiates exactly once.
        if (admitted.Peers.Count > 0)
            await hub.Clients.Groups(admitted.Peers.Select(p => Presence.ParticipantGroup(room, p.Id)).ToList()).PeerJoined(admitted.Self.AsPeerInfo());
    }

    /// <summary>Someone left, dropped for good or was kicked; <paramref name="kickedWords"/> tells the kicked person why.</summary>
    public async Task DepartedAsync(Departure departure, string? kickedWords = null)
    {
        if (departure.ConnectionId is { } connection)
        {
            // Barred before the seat goes: between the two a kicked connection could otherwise start a new JoinRoom.
            if (kickedWords is not null) seats.Bar(connection);
            await UnseatAsync(connection, departure.RoomId, departure.ParticipantId);
            if (kickedWords is not null) await hub.Clients.Client(connection).Kicked(new Kicked(kickedWords));
        }
        seats.RemoveFromRoster(departure.RoomId, departure.ParticipantId);
        await hub.Clients.Group(Presence.GroupName(departure.RoomId)).PeerLeft(new PeerLeft(departure.ParticipantId, departure.Reason));
    }

    /// <summary>The connection dropped: its seat stops relaying at once; the participant keeps the seat in the
    /// database for the grace period, so the roster still lists it.</summary>
    public async Task DisconnectedAsync(string connectionId)
    {
        await seats.UnseatAsync(connectionId);
        seats.Forget(connectionId);
    }

    public Task MediaStateAsync(Seat seat, MediaStateChanged state) =>
        hub.Clients.GroupExcept(Presence.GroupName(seat.RoomId), seat.ConnectionId).MediaStateChanged(state);

    public Task HandAsync(Guid roomId, HandChanged hand) =>
        hub.Clients.Group(Presence.GroupName(roomId)).HandChanged(hand);

    /// <summary>A chat message: to everyone in the sender's room, the sender included; stored nowhere.</summary>
    public Task ChatAsync(Seat seat, ChatMessage message) =>
        hub.Clients.Group(Presence.GroupName(seat.RoomId)).ChatMessage(message);

    public Task LockChangedAsync(Guid roomId, bool locked) =>
        hub.Clients.Group(Presence.GroupName(roomId)).RoomLockChanged(new RoomLockChanged(locked));

    /// <summary>The call is over (ended, or the room deleted): nobody in it relays anything more, then everyone hears it.</summary>
    public async Task CloseAsync(Guid roomId, IReadOnlyList<string> connections, CallClosedReason reason, CancellationToken ct)
    {
        foreach (var connection in connections) await seats.UnseatAsync(connection);
        var group = Presence.GroupName(roomId);
        await hub.Clients.Group(group).RoomClosed(new RoomClosed(reason == CallClosedReason.Deleted ? "deleted" : "ended"));
        foreach (var connection in connections) await hub.Groups.RemoveFromGroupAsync(connection, group, ct);
        seats.DropRoster(roomId);
    }

    private async Task UnseatAsync(string connectionId, Guid roomId, string participantId)
    {
        await seats.UnseatAsync(connectionId);
        await hub.Groups.RemoveFromGroupAsync(connectionId, Presence.GroupName(roomId));
        await hub.Groups.RemoveFromGroupAsync(connectionId, Presence.ParticipantGroup(roomId, participantId));
    }
}

internal static class ParticipantMapping
{
    public static PeerInfo AsPeerInfo(this Participant p) => new(p.Id, p.DisplayName, p.IsHost, p.AudioMuted, p.VideoMuted, p.HandRaised);
}
