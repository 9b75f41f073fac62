using MeshMeet.Web.Accounts;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Telemetry;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// /hubs/signaling: admits people to calls, relays offers, answers and ICE candidates to exactly one peer in the same
/// room (storing none of it), and announces state changes. The caller's identity and room always come from the
/// connection's seat, never from the message. No state lives in the hub.
/// <para>Relaying never touches the database: the seat and the room's roster (<see cref="SeatRegistry"/>) are derived
/// from committed joins, and methods that change who is in a room take their database services as parameters, so
/// a Signal does not even build a DbContext.</para>
/// <para>This file holds the call's core (join, relay, leave); each call feature adds its methods in its own folder
/// (the class is partial), with their rate bucket declared on the method (<see cref="RateBucketAttribute"/>).</para>
/// </summary>
[AllowAnonymous]
public sealed partial class SignalingHub(
    SeatRegistry seats, CallNotifier notifier, BrowserIds browsers, AddressLimits limits, IServiceScopeFactory scopes, MeshMeetMetrics metrics,
    IOptions<SignalingOptions> options, IOptions<TurnOptions> turn, TimeProvider clock, ILogger<SignalingHub> log)
    : Hub<ISignalingClient>
{
    public async Task<JoinRoomResult> JoinRoom(JoinRoomRequest request, Admission admission, LobbyBoard lobby)
    {
        var (name, nameError) = NameRules.Clean(request.DisplayName, JoinRules.MaxDisplayNameLength, "Your name");
        if (nameError is not null) throw Refuse("invalid_name", nameError);
        if (seats.IsBarred(Context.ConnectionId)) throw Refuse("barred", JoinRules.Describe(JoinDecision.RefuseBarred, 0).Message);
        if (seats.ByConnection(Context.ConnectionId) is not null) throw Refuse("already_in_call", "This connection is already in a call. Leave it first.");
        if (!SecureId.LooksValid(request.RoomId)) throw RoomNotFound(request.RoomId);

        var http = Context.GetHttpContext();
        var browser = browsers.HashOf(http);
        if (!limits.TryRejoin(request.RoomId!, browser ?? AddressLimits.AddressOf(http))) throw Refuse("rejoining_too_often", JoinRules.RejoiningTooOften);

        Context.Items[TriedToJoin] = true; // from here on a drop may leave a seat to mark
        var address = AddressLimits.AddressOf(http);
        var command = new JoinCommand(request.RoomId!, name!, request.ReconnectToken, UserId, Context.ConnectionId, browser,
            request.AdmissionTicket, SecureId.Hash(address), MayKnock: () => limits.TryKnock(request.RoomId!, browser, address));
        var groups = new List<string>(2);
        JoinOutcome outcome;
        try
        {
            outcome = await admission.JoinAsync(command, async (roomId, participantId) =>
            {
                foreach (var group in new[] { CallGroups.Room(roomId), CallGroups.Participant(roomId, participantId) })
                {
                    groups.Add(group);
                    await Groups.AddToGroupAsync(Context.ConnectionId, group);
                }
            });
        }
        catch
        {
            foreach (var group in groups) await Groups.RemoveFromGroupAsync(Context.ConnectionId, group);
            throw;
        }

        var admitted = outcome switch
        {
            JoinOutcome.RoomNotFound => throw RoomNotFound(request.RoomId),
            JoinOutcome.Refused refused => throw Refuse(refused.Reason, refused.Message),
            JoinOutcome.Waiting waiting => null,
            _ => (JoinOutcome.Admitted)outcome,
        };
        if (admitted is null) return await KnockAsync((JoinOutcome.Waiting)outcome, lobby);
        await LeaveLobbyAsync(lobby);
        await notifier.AdmittedAsync(Context.ConnectionId, admitted);
        var self = admitted.Self;
        if (admitted.Room.Lobby && (self.IsCohost || self.UserId == admitted.Room.OwnerId))
        {
            await lobby.TellModeratorsAsync(admitted.Room.Id);
            await lobby.HostArrivedAsync(admitted.Room.Id);
        }
        metrics.Joined(admitted.Resumed);
        using (log.BeginScope(new SeatScope(admitted.Room.Id, admitted.Self.Id)))
            LogJoined(admitted.Room.Id, admitted.Resumed ? "resumed" : "joined", admitted.Peers.Count);
        // Closed while the join committed: its drop may have been written before the seat existed.
        if (!seats.IsOpen(Context.ConnectionId)) seats.SuspectGhosts();
        var o = options.Value;
        return new JoinRoomResult(admitted.Self.Id, admitted.Self.IsHost, admitted.Room.Capacity,
            admitted.Peers.Select(p => p.AsPeerInfo()).ToArray(), IceSettings.ServersFor(o, turn.Value, admitted.Self.Id, clock.GetUtcNow()),
            admitted.ReconnectToken, admitted.Room.Name, admitted.Room.Locked, admitted.Resumed, o.UplinkBudgetKbps, o.IceTransportPolicy,
            IceSettings.RefreshSeconds(turn.Value), admitted.Self.IsCohost, admitted.Self.AsPeerInfo(), admitted.Room.Lobby,
            RecordingOff: admitted.Room.RecordingOff);
    }

    /// <summary>In the lobby: the connection hears only its knock's and the lobby's messages, and the moderators hear
    /// that someone knocks.</summary>
    private async Task<JoinRoomResult> KnockAsync(JoinOutcome.Waiting waiting, LobbyBoard lobby)
    {
        var roomId = waiting.Room.Id;
        await LeaveLobbyAsync(lobby); // a second knock on this connection replaces the first
        Context.Items[Knocking] = (roomId, waiting.Knock.Id);
        await Groups.AddToGroupAsync(Context.ConnectionId, CallGroups.Knock(roomId, waiting.Knock.Id));
        await Groups.AddToGroupAsync(Context.ConnectionId, CallGroups.Lobby(roomId));
        await lobby.TellModeratorsAsync(roomId);
        return JoinRoomResult.WaitingIn(waiting.Room.Name, waiting.Room.Capacity, waiting.HostPresent);
    }

    /// <summary>This connection no longer waits in a lobby (let in, or gone): its knock's groups are left, and a knock
    /// still waiting is withdrawn so the host's list loses it.</summary>
    private async Task LeaveLobbyAsync(LobbyBoard lobby)
    {
        if (!Context.Items.TryGetValue(Knocking, out var knocking) || knocking is not (Guid roomId, string knockId)) return;
        Context.Items.Remove(Knocking);
        await lobby.WithdrawAsync(roomId, knockId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, CallGroups.Knock(roomId, knockId));
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, CallGroups.Lobby(roomId));
    }

    /// <summary>TURN credentials are short-lived: a page in a call asks for fresh ones before they run out. Only a
    /// seat that has not been revoked gets them, so someone who left or was kicked holds relays for minutes at most.</summary>
    [RateBucket(StateBucket.Name, StateBucket.Burst, StateBucket.PerSecond)]
    public RefreshIceServersResult RefreshIceServers(RefreshIceServersRequest request)
    {
        using var pass = EnterSeat();
        return new RefreshIceServersResult(IceSettings.ServersFor(options.Value, turn.Value, pass.Seat.ParticipantId, clock.GetUtcNow()),
            IceSettings.RefreshSeconds(turn.Value));
    }

    /// <summary>The hot path: shape check, the caller's seat, then one send. A peer seated on this instance (the
    /// normal case: a call's people reach the same instance) gets it written to its connection; one elsewhere through
    /// its group, which the backplane delivers where it is connected (the roster says whether it is in the room).</summary>
    public async Task Signal(SignalRequest request, RosterLookup rosters)
    {
        SignalRules.Check(request, options.Value.MaxSdpLength);
        using var pass = EnterSeat();
        var seat = pass.Seat;
        var message = new SignalMessage(seat.ParticipantId, request.Description, request.Candidate);
        if (seats.Here(seat.RoomId, request.To!) is { } peer) await Clients.Client(peer.ConnectionId).Signal(message);
        else
        {
            var group = await rosters.GroupOfAsync(seat.RoomId, request.To!, Context.ConnectionAborted)
                ?? throw new HubException("That participant is not in your room.");
            await Clients.Group(group).Signal(message);
        }
        metrics.SignalRelayed();
    }

    public async Task LeaveRoom(LeaveRoomRequest request, Departures departures)
    {
        var seat = SeatOrThrow();
        var departure = await departures.LeaveAsync(seat.RoomId, seat.ParticipantId) ?? throw NotInRoom();
        await notifier.DepartedAsync(departure);
    }

    public override Task OnConnectedAsync()
    {
        seats.Opened(Context);
        return base.OnConnectedAsync();
    }

    /// <summary>A drop is not a leave yet: the seat is held for the grace period (PresenceSweeper ends it).</summary>
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await notifier.DisconnectedAsync(Context.ConnectionId);
        if (Context.Items.ContainsKey(Knocking))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await LeaveLobbyAsync(scope.ServiceProvider.GetRequiredService<LobbyBoard>());
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The knock stays listed until its room's next knock or decision tidies it; the host can deny it.
                LogDisconnectNotMarked(DatabaseHealthCheck.Reason(e));
            }
        }
        // Connections that never tried to join (most of an idle crowd) cost no database work.
        if (Context.Items.ContainsKey(TriedToJoin))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<Departures>().MarkDisconnectedAsync(Context.ConnectionId);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The seat now names a closed connection: the sweeper's ghost check finds it and starts its grace period.
                seats.SuspectGhosts();
                LogDisconnectNotMarked(DatabaseHealthCheck.Reason(e));
            }
        }
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>The caller's seat, entered for one relay: a revocation waits until it is disposed.</summary>
    private Seat.Pass EnterSeat() => seats.ByConnection(Context.ConnectionId)?.TryEnter() ?? throw NotInRoom();

    /// <summary>The caller's seat, for methods that change state in the database (which decides who is seated).</summary>
    private Seat SeatOrThrow() => seats.ByConnection(Context.ConnectionId) ?? throw NotInRoom();

    private HubException Refuse(string reason, string message)
    {
        metrics.Refused(reason);
        return new HubException(message);
    }

    private HubException RoomNotFound(string? roomId)
    {
        metrics.Refused("not_found");
        // Not audited (there is no stream to write to), only logged, and sampled: a burst of bad links must not
        // flood the log. Logs never carry a whole link id (a link is the key to its room): the first characters do.
        if (UnknownRooms.ShouldLog(out var suppressed)) LogUnknownRoom(roomId?.Length > 4 ? roomId[..4] + "…" : roomId, suppressed);
        return new HubException("This room does not exist. It may have been deleted; check the link.");
    }

    private static HubException NotInRoom() => new(JoinRules.NotInRoom);

    /// <summary>The caller's signed-in user id (a host's), or null for a guest.</summary>
    private string? UserId => Context.User?.UserId();

    private const string TriedToJoin = "meshmeet.tried-to-join";
    /// <summary>(room id, knock id) while this connection waits in a lobby.</summary>
    private const string Knocking = "meshmeet.knocking";

    private static readonly LogSampler UnknownRooms = new(TimeSpan.FromSeconds(10));

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {Outcome} room {Room} ({Peers} others there)")]
    private partial void LogJoined(Guid room, string outcome, int peers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not mark a dropped connection's seat as disconnected ({Reason}); the ghost sweep will")]
    private partial void LogDisconnectNotMarked(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Join attempt for unknown room {RoomId} ({Suppressed} more since the last one logged)")]
    private partial void LogUnknownRoom(string? roomId, long suppressed);
}
