using MeshMeet.Web.Cluster;
using MeshMeet.Web.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>A participant who is no longer in a call, why, and the connection that held the seat (if any).</summary>
public sealed record Departure(Guid RoomId, string ParticipantId, LiveConnection? Connection, string Reason);

/// <summary>
/// The one place that turns committed changes into hub messages and routing state. Services decide and commit; this
/// tells the people affected, in an order that keeps the promises: a departing connection's seat is revoked (and its
/// relays under way have finished) before anyone hears that it left, so nothing it sent arrives afterwards.
/// <para>Several instances: hub messages and group membership cross instances through the SignalR backplane; a
/// seat is routing state in the memory of the instance that holds the connection, so revoking it is a notice to that
/// instance (<see cref="InstanceBus"/>), waited for where the order matters.</para>
/// </summary>
public sealed class CallNotifier(IHubContext<SignalingHub, ISignalingClient> hub, SeatRegistry seats, InstanceBus bus) : IRoomCallCloser
{
    public const string KickedWords = "The host removed you from the call.";

    /// <summary>After a committed join or resume: the connection holds its seat, the others hear of it.</summary>
    public async Task AdmittedAsync(string connectionId, JoinOutcome.Admitted admitted)
    {
        var room = admitted.Room.Id;
        seats.Seat(connectionId, admitted.Self.Id, room, admitted.Self.DisplayName, admitted.Peers.Select(p => p.Id));
        // On a resume the old connection (another tab, a page that is unloading, or one on an instance that died)
        // loses the identity. Not waited for: the instance holding it may be gone, and nobody hears of it anyway.
        if (admitted.Displaced is { } displaced) await RevokeAsync(room, displaced, bar: false, wait: false);
        // Only those seated before: they offer to the newcomer. Anyone seated after already has the newcomer in the
        // peers of their own join, so each pair negotiates exactly once.
        if (admitted.Peers.Count > 0)
            await hub.Clients.Groups(admitted.Peers.Select(p => Presence.ParticipantGroup(room, p.Id)).ToList()).PeerJoined(admitted.Self.AsPeerInfo());
    }

    /// <summary>Someone left, dropped for good or was kicked; <paramref name="kickedWords"/> tells the kicked person why.</summary>
    public async Task DepartedAsync(Departure departure, string? kickedWords = null)
    {
        if (departure.Connection is { } connection)
        {
            await RevokeAsync(departure.RoomId, connection, bar: kickedWords is not null, wait: true);
            if (kickedWords is not null) await hub.Clients.Client(connection.ConnectionId).Kicked(new Kicked(kickedWords));
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
    public async Task CloseAsync(Guid roomId, IReadOnlyList<LiveConnection> connections, CallClosedReason reason, CancellationToken ct)
    {
        await Task.WhenAll(connections.Select(c => RevokeAsync(roomId, c, bar: false, wait: true)));
        await hub.Clients.Clients(connections.Select(c => c.ConnectionId).ToList())
            .RoomClosed(new RoomClosed(reason == CallClosedReason.Deleted ? "deleted" : "ended"));
        seats.DropRoster(roomId);
        await bus.RoomClosedAsync(roomId);
    }

    /// <summary>A room closed on another instance: its roster here is of no more use.</summary>
    public void ForgetRoom(Guid roomId) => seats.DropRoster(roomId);

    /// <summary>Revokes a seat held by this instance: barred first if kicked (between the two a kicked connection
    /// could otherwise start a new JoinRoom), then no relay of it runs, then it leaves the room's groups.</summary>
    public async Task RevokeHereAsync(Revocation revocation)
    {
        var connection = revocation.ConnectionId;
        var open = seats.IsOpen(connection);
        if (revocation.Bar && open) seats.Bar(connection);
        await seats.UnseatAsync(connection);
        if (!open) return; // closed: SignalR has dropped its groups already
        await hub.Groups.RemoveFromGroupAsync(connection, Presence.GroupName(revocation.RoomId));
        await hub.Groups.RemoveFromGroupAsync(connection, Presence.ParticipantGroup(revocation.RoomId, revocation.ParticipantId));
    }

    private Task RevokeAsync(Guid roomId, LiveConnection c, bool bar, bool wait)
    {
        var revocation = new Revocation(roomId, c.ParticipantId, c.ConnectionId, bar);
        return c.InstanceId is null || c.InstanceId == bus.InstanceId
            ? RevokeHereAsync(revocation)
            : bus.RevokeElsewhereAsync(c.InstanceId, revocation, wait);
    }
}

internal static class ParticipantMapping
{
    public static PeerInfo AsPeerInfo(this Participant p) => new(p.Id, p.DisplayName, p.IsHost, p.AudioMuted, p.VideoMuted, p.HandRaised, p.ScreenSharing);
}
