using MeshMeet.Web.Presence;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>Take a seat away from a connection: the instance holding it stops relaying for it and drops its groups.</summary>
public sealed record Revocation(Guid RoomId, string ParticipantId, string ConnectionId, bool Bar);

/// <summary>What this instance asks of the others (implemented by the Cluster feature over Redis; with one instance
/// there is nobody to ask).</summary>
public interface IInstanceNotices
{
    string InstanceId { get; }
    /// <summary>Notices can be sent and received now (always, with one instance).</summary>
    bool LinkUp { get; }
    /// <summary>Revokes a seat held by another instance; with <paramref name="wait"/>, returns once it is done (or
    /// that instance failed to answer in time).</summary>
    Task RevokeElsewhereAsync(string instanceId, Revocation revocation, bool wait);
    /// <summary>A room's call is over: the other instances forget its roster.</summary>
    Task RoomClosedAsync(Guid roomId);
}

/// <summary>
/// The one place that turns committed changes of who is in a call into hub messages and routing state, in an order
/// that keeps the promises: a departing connection's seat is revoked (and its relays under way have finished) before
/// anyone hears that it left, so nothing it sent arrives afterwards. Call features that only broadcast use
/// <see cref="Room"/> and <see cref="Others"/>.
/// <para>Several instances: hub messages and group membership cross instances through the SignalR backplane; a
/// seat is routing state in the memory of the instance that holds the connection, so revoking it is a notice to that
/// instance (<see cref="IInstanceNotices"/>), waited for where the order matters.</para>
/// </summary>
public sealed partial class CallNotifier(IHubContext<SignalingHub, ISignalingClient> hub, SeatRegistry seats, SeatRevoker revoker,
    IInstanceNotices instances, ILogger<CallNotifier> log)
{
    public const string KickedWords = "The host removed you from the call.";

    /// <summary>Everyone in a room's call.</summary>
    public ISignalingClient Room(Guid roomId) => hub.Clients.Group(CallGroups.Room(roomId));

    /// <summary>Everyone in the seat's room but the seat's own connection.</summary>
    public ISignalingClient Others(Seat seat) => hub.Clients.GroupExcept(CallGroups.Room(seat.RoomId), seat.ConnectionId);

    /// <summary>After a committed join or resume: the connection holds its seat, the others hear of it.</summary>
    public async Task AdmittedAsync(string connectionId, JoinOutcome.Admitted admitted)
    {
        var room = admitted.Room.Id;
        seats.Seat(connectionId, admitted.Self.Id, room, admitted.Self.DisplayName, admitted.Self.ReconnectTokenHash, admitted.Peers.Select(p => p.Id));
        // On a resume the old connection (another tab, a page that is unloading, or one on an instance that died)
        // loses the identity. Not waited for: the instance holding it may be gone, and nobody hears of it anyway.
        if (admitted.Displaced is { } displaced) await RevokeAsync(room, displaced, bar: false, wait: false);
        // Only those seated before: they offer to the newcomer. Anyone seated after already has the newcomer in the
        // peers of their own join, so each pair negotiates exactly once.
        // Those seated here hear it from this instance, the others through the backplane (as their signals go).
        var joined = admitted.Self.AsPeerInfo();
        var elsewhere = new List<string>();
        foreach (var peer in admitted.Peers)
        {
            if (seats.Here(room, peer.Id) is { } here) await hub.Clients.Client(here.ConnectionId).PeerJoined(joined);
            else elsewhere.Add(CallGroups.Participant(room, peer.Id));
        }
        if (elsewhere.Count > 0) await hub.Clients.Groups(elsewhere).PeerJoined(joined);
    }

    /// <summary>Someone left, dropped for good or was kicked; <paramref name="kickedWords"/> tells the kicked person why.</summary>
    public async Task DepartedAsync(Departure departure, string? kickedWords = null)
    {
        if (departure.Connection is { } connection)
        {
            await RevokeAsync(departure.RoomId, connection, bar: kickedWords is not null, wait: true);
            if (kickedWords is not null) await AfterCommitAsync(hub.Clients.Client(connection.ConnectionId).Kicked(new Kicked(kickedWords)));
        }
        seats.RemoveFromRoster(departure.RoomId, departure.ParticipantId);
        await AfterCommitAsync(Room(departure.RoomId).PeerLeft(new PeerLeft(departure.ParticipantId, departure.Reason)));
    }

    /// <summary>The connection dropped: its seat stops relaying at once; the participant keeps the seat in the
    /// database for the grace period, so the roster still lists it.</summary>
    public async Task DisconnectedAsync(string connectionId)
    {
        await seats.UnseatAsync(connectionId);
        seats.Forget(connectionId);
    }

    /// <summary>The call is over (ended, or the room deleted): nobody in it relays anything more, then everyone hears it.</summary>
    public async Task CloseAsync(Guid roomId, IReadOnlyList<LiveConnection> connections, string reason)
    {
        await Task.WhenAll(connections.Select(c => RevokeAsync(roomId, c, bar: false, wait: true)));
        await AfterCommitAsync(hub.Clients.Clients(connections.Select(c => c.ConnectionId).ToList()).RoomClosed(new RoomClosed(reason)));
        seats.DropRoster(roomId);
        await instances.RoomClosedAsync(roomId);
    }

    /// <summary>Tells people of a change already committed. With several instances the message crosses Redis, and if
    /// Redis went away a moment ago (before this instance fell out of standing) it cannot: the change stands all the
    /// same, and each instance's reconciliation tells what was missed once Redis is back (PresenceSweeper). So the
    /// caller hears that it is done, never "nothing was changed".</summary>
    private async Task AfterCommitAsync(Task send)
    {
        try
        {
            await send;
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException)
        {
            LogNotToldYet(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A committed change could not be told across instances yet ({Reason}); reconciliation tells it once Redis is back")]
    private partial void LogNotToldYet(string reason);

    private Task RevokeAsync(Guid roomId, LiveConnection c, bool bar, bool wait)
    {
        var revocation = new Revocation(roomId, c.ParticipantId, c.ConnectionId, bar);
        return c.InstanceId is null || c.InstanceId == instances.InstanceId
            ? revoker.RevokeHereAsync(revocation)
            : instances.RevokeElsewhereAsync(c.InstanceId, revocation, wait);
    }
}

/// <summary>Takes seats away on this instance, for this instance's changes and for notices from the others.</summary>
public sealed class SeatRevoker(IHubContext<SignalingHub, ISignalingClient> hub, SeatRegistry seats)
{
    /// <summary>Revokes a seat held by this instance: barred first if kicked (between the two a kicked connection
    /// could otherwise start a new JoinRoom), then no relay of it runs, then it leaves the room's groups.</summary>
    public async Task RevokeHereAsync(Revocation revocation)
    {
        var connection = revocation.ConnectionId;
        var open = seats.IsOpen(connection);
        if (revocation.Bar && open) seats.Bar(connection);
        await seats.UnseatAsync(connection);
        if (!open) return; // closed: SignalR has dropped its groups already
        await hub.Groups.RemoveFromGroupAsync(connection, CallGroups.Room(revocation.RoomId));
        await hub.Groups.RemoveFromGroupAsync(connection, CallGroups.Participant(revocation.RoomId, revocation.ParticipantId));
    }

    /// <summary>A room closed on another instance: its roster here is of no more use.</summary>
    public void ForgetRoom(Guid roomId) => seats.DropRoster(roomId);
}

internal static class ParticipantMapping
{
    public static PeerInfo AsPeerInfo(this Participant p) => new(p.Id, p.DisplayName, p.IsHost, p.AudioMuted, p.VideoMuted, p.HandRaised, p.ScreenSharing, p.IsCohost, p.AudioHeld, p.VideoHeld, p.Recording);
}
