using System.Collections.Concurrent;
using MeshMeet.Web.Telemetry;

namespace MeshMeet.Web.Signaling;

/// <summary>The SignalR groups of a call.</summary>
public static class CallGroups
{
    /// <summary>Everyone in a room's call.</summary>
    public static string Room(Guid roomId) => $"room:{roomId:N}";

    /// <summary>One participant's live connection, scoped by room: a signal sent here from another room reaches nobody.</summary>
    public static string Participant(Guid roomId, string participantId) => $"peer:{roomId:N}:{participantId}";

    /// <summary>One guest waiting in a room's lobby (not in the call: none of the call's messages reach it).</summary>
    public static string Knock(Guid roomId, string knockId) => $"knock:{roomId:N}:{knockId}";

    /// <summary>Every guest waiting in a room's lobby.</summary>
    public static string Lobby(Guid roomId) => $"lobby:{roomId:N}";
}

/// <summary>
/// One live connection's place in a call, as this app instance knows it after the database committed the join.
/// Relaying reads only this (no database round trip); revoking it is how a committed leave, kick, end or delete
/// stops the connection: <see cref="RevokeAsync"/> returns only once no relay of this seat is still under way, so
/// nothing the connection sent can reach anyone after the Kicked / RoomClosed / PeerLeft that follows.
/// </summary>
public sealed class Seat(string connectionId, string participantId, Guid roomId, string displayName, string tokenHash)
{
    private int _inFlight;
    private int _revoked;

    public string ConnectionId { get; } = connectionId;
    public string ParticipantId { get; } = participantId;
    public Guid RoomId { get; } = roomId;
    /// <summary>The name the participant joined with (chat messages carry it).</summary>
    public string DisplayName { get; } = displayName;
    /// <summary>The participant's reconnect token hash: a kick bars it (reconciliation looks for the ban).</summary>
    public string TokenHash { get; } = tokenHash;
    public bool Revoked => Volatile.Read(ref _revoked) == 1;

    /// <summary>Starts a relay (dispose the pass when it is sent); null once the seat is revoked.</summary>
    public Pass? TryEnter()
    {
        // Increment first, then look: with RevokeAsync's exchange-then-wait (both full fences) either the relay sees
        // the revocation or the revocation sees the relay and waits for it.
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _revoked) == 0) return new Pass(this);
        Interlocked.Decrement(ref _inFlight);
        return null;
    }

    /// <summary>One relay under way on a seat; revocation waits until it is disposed.</summary>
    public readonly struct Pass(Seat seat) : IDisposable
    {
        public Seat Seat => seat;
        public void Dispose() => Interlocked.Decrement(ref seat._inFlight);
    }

    /// <summary>No new relay starts; waits (briefly: relays never wait on the database) for the ones under way.</summary>
    public async ValueTask RevokeAsync()
    {
        Interlocked.Exchange(ref _revoked, 1);
        var waited = 0;
        while (Volatile.Read(ref _inFlight) > 0 && waited++ < 5000) await Task.Delay(1);
    }
}

/// <summary>
/// This instance's routing state, derived from committed database changes: which local connection holds which seat,
/// and which participants each room has. PostgreSQL stays the authority for admission, capacity, kicks, bans, end
/// and delete; this is only what lets a signal be relayed without asking it.
/// <para>
/// Several instances (Redis backplane): a seat lives on the instance that owns its connection, so revocations are
/// sent to the owner (<see cref="SeatRevoker"/>). A signal (or PeerJoined) for a participant seated here is written to
/// its connection (<see cref="Here"/>); one for a participant elsewhere goes to the room-scoped participant group
/// <see cref="CallGroups.Participant"/>, which the backplane delivers wherever the peer is connected. Either way all
/// of one sender's messages to one recipient take the same path, in order, and a revocation waits for them. A roster
/// only caches who is in a room: a participant it does not know yet (joined on another instance) is looked up in the
/// database once and remembered; one that left elsewhere and is still listed costs nothing but a send to an empty group.
/// </para>
/// </summary>
public sealed class SeatRegistry : ILiveCounts
{
    private readonly ConcurrentDictionary<string, Seat> _byConnection = new();
    // The same seats by room and participant: a message for a participant seated here is written to its connection
    // directly, without a round trip through the backplane.
    private readonly ConcurrentDictionary<(Guid RoomId, string ParticipantId), Seat> _byParticipant = new();
    // Room -> participant -> that participant's group name, made once per join rather than once per relayed signal.
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, string>> _rosters = new();
    private readonly ConcurrentDictionary<string, byte> _barred = new();
    private readonly ConcurrentDictionary<string, Microsoft.AspNetCore.SignalR.HubCallerContext> _open = new();

    /// <summary>A connection to this instance opened; until it closes, a seat held under its id is not a ghost.</summary>
    public void Opened(Microsoft.AspNetCore.SignalR.HubCallerContext connection) => _open[connection.ConnectionId] = connection;

    /// <summary>Closes every connection of this instance (the others declared it dead and released its seats) with
    /// reconnect allowed: SignalR's close message then tells the browser to reconnect, and it resumes its seat.
    /// (<see cref="Microsoft.AspNetCore.SignalR.HubCallerContext.Abort"/> would tell it not to.)</summary>
    public void CloseAllForReconnect()
    {
        foreach (var connectionId in _open.Keys) CloseForReconnect(connectionId);
    }

    /// <summary>Closes one connection with reconnect allowed (see <see cref="CloseAllForReconnect"/>).</summary>
    public void CloseForReconnect(string connectionId)
    {
        if (!_open.TryGetValue(connectionId, out var connection)) return;
        if (connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>() is { } lifetime)
            lifetime.RequestClose();
        else connection.Abort();
    }

    /// <summary>Takes every seat of this instance away (waiting for relays under way).</summary>
    public async Task UnseatAllAsync()
    {
        foreach (var connectionId in _byConnection.Keys) await UnseatAsync(connectionId);
    }

    /// <summary>The seats held on this instance now (reconciliation compares them with the database).</summary>
    public IReadOnlyList<Seat> Seats => [.. _byConnection.Values];

    /// <summary>Is this connection open on this instance?</summary>
    public bool IsOpen(string connectionId) => _open.ContainsKey(connectionId);

    private int _ghostsSuspected;

    /// <summary>A seat may now be held by a closed connection (its drop could not be written, or a join committed as
    /// the connection closed): the sweeper looks at its next tick instead of waiting for its periodic check.</summary>
    public void SuspectGhosts() => Volatile.Write(ref _ghostsSuspected, 1);

    /// <summary>True once per <see cref="SuspectGhosts"/>.</summary>
    public bool TakeGhostSuspicion() => Interlocked.Exchange(ref _ghostsSuspected, 0) == 1;

    public Seat? ByConnection(string connectionId) => _byConnection.GetValueOrDefault(connectionId);

    /// <summary>The participant's seat in that room if this instance holds it (and it is not revoked), else null.</summary>
    public Seat? Here(Guid roomId, string participantId) =>
        _byParticipant.TryGetValue((roomId, participantId), out var seat) && !seat.Revoked ? seat : null;

    /// <summary>Open hub connections on this instance.</summary>
    public int OpenCount => _open.Count;

    /// <summary>Connections holding a seat on this instance.</summary>
    public int SeatCount => _byConnection.Count;

    /// <summary>Rooms with a seat on this instance (counted when asked: metrics scrapes, not the relay).</summary>
    public int RoomsWithSeats() => _byConnection.Values.Select(s => s.RoomId).Distinct().Count();

    /// <summary>A kicked connection may do nothing more in any room until it closes.</summary>
    public void Bar(string connectionId) => _barred[connectionId] = 0;

    public bool IsBarred(string connectionId) => _barred.ContainsKey(connectionId);

    /// <summary>The connection closed: nothing about it is kept.</summary>
    public void Forget(string connectionId)
    {
        _barred.TryRemove(connectionId, out _);
        _open.TryRemove(connectionId, out _);
    }

    /// <summary>A committed join: the connection holds the seat, and the room's roster is what the join saw.</summary>
    public Seat Seat(string connectionId, string participantId, Guid roomId, string displayName, string tokenHash, IEnumerable<string> roomParticipants)
    {
        var seat = new Seat(connectionId, participantId, roomId, displayName, tokenHash);
        _byConnection[connectionId] = seat;
        _byParticipant[(roomId, participantId)] = seat;
        AddToRoster(roomId, participantId);
        foreach (var id in roomParticipants) AddToRoster(roomId, id);
        return seat;
    }

    /// <summary>Takes the connection's seat away (revoked, waiting for relays under way); null if it had none.</summary>
    public async ValueTask<Seat?> UnseatAsync(string connectionId)
    {
        if (!_byConnection.TryRemove(connectionId, out var seat)) return null;
        // Only this seat: a resume on this instance may have seated the participant's new connection already.
        _byParticipant.TryRemove(new((seat.RoomId, seat.ParticipantId), seat));
        await seat.RevokeAsync();
        return seat;
    }

    /// <summary>The group that reaches this participant, if the roster lists it in that room.</summary>
    public string? GroupInRoster(Guid roomId, string participantId) =>
        _rosters.TryGetValue(roomId, out var roster) ? roster.GetValueOrDefault(participantId) : null;

    public string AddToRoster(Guid roomId, string participantId) =>
        Roster(roomId)[participantId] = CallGroups.Participant(roomId, participantId);

    public void RemoveFromRoster(Guid roomId, string participantId)
    {
        if (!_rosters.TryGetValue(roomId, out var roster)) return;
        roster.TryRemove(participantId, out _);
        // An add racing this removal may be lost; the next signal to that participant then finds it in the database.
        if (roster.IsEmpty) _rosters.TryRemove(roomId, out _);
    }

    public void DropRoster(Guid roomId) => _rosters.TryRemove(roomId, out _);

    private ConcurrentDictionary<string, string> Roster(Guid roomId) => _rosters.GetOrAdd(roomId, _ => new());
}
