using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Signaling;

/// <summary>Told to everyone in the call: the room asks to join now (or no longer).</summary>
public sealed record LobbyEnabledChanged(bool Enabled);

public sealed record WaitingGuest(string Id, string DisplayName, DateTimeOffset Since);

/// <summary>Told to the room's owner and co-hosts in the call: who waits in the lobby now, longest first.</summary>
public sealed record LobbyChanged(WaitingGuest[] Waiting);

/// <summary>Told to a waiting guest: the host let them in; JoinRoom with this ticket takes the seat.</summary>
public sealed record AdmittedFromLobby(string Ticket);

/// <summary>Told to a waiting guest: the host turned them away, and why.</summary>
public sealed record Denied(string Reason);

/// <summary>Told to the guests waiting in a room's lobby: someone who can let them in is in the call now (or not).</summary>
public sealed record LobbyHost(bool Present);

/// <summary>
/// The lobby's messages: a guest waiting is not in the call, so nothing of the call reaches them; they hear only
/// through their knock's own group (<see cref="CallGroups.Knock"/>) and the room's lobby group. The host's list goes to
/// the participant groups of the room's moderators (the owner and the co-hosts), wherever their connections live.
/// </summary>
public sealed class LobbyBoard(MeshMeetDb db, IHubContext<SignalingHub, ISignalingClient> hub)
{
    /// <summary>Tells the room's moderators in the call who waits now.</summary>
    public async Task TellModeratorsAsync(Guid roomId, CancellationToken ct = default)
    {
        var owner = await db.Rooms.Where(r => r.Id == roomId).Select(r => r.OwnerId).SingleOrDefaultAsync(ct);
        if (owner is null) return;
        var moderators = await db.Participants.Where(p => p.RoomId == roomId && (p.UserId == owner || p.IsCohost)).Select(p => p.Id).ToListAsync(ct);
        if (moderators.Count == 0) return;
        var waiting = await db.WaitingAsync(roomId, ct);
        await hub.Clients.Groups(moderators.Select(id => CallGroups.Participant(roomId, id)).ToList())
            .LobbyChanged(new LobbyChanged(waiting.Select(k => new WaitingGuest(k.Id, k.DisplayName, k.Since)).ToArray()));
    }

    /// <summary>A knock still waiting goes (its connection closed, or knocked again, or took a seat), and the moderators
    /// hear of it.</summary>
    public async Task WithdrawAsync(Guid roomId, string knockId)
    {
        if (await db.WithdrawAsync(knockId)) await TellModeratorsAsync(roomId);
    }

    public Task AdmittedAsync(Guid roomId, string knockId, string ticket) =>
        hub.Clients.Group(CallGroups.Knock(roomId, knockId)).Admitted(new AdmittedFromLobby(ticket));

    public Task DeniedAsync(Guid roomId, string knockId, string reason) =>
        hub.Clients.Group(CallGroups.Knock(roomId, knockId)).Denied(new Denied(reason));

    /// <summary>A moderator came into the call: the waiting guests hear that someone can let them in.</summary>
    public Task HostArrivedAsync(Guid roomId) => hub.Clients.Group(CallGroups.Lobby(roomId)).LobbyHost(new LobbyHost(true));
}

public partial interface ISignalingClient
{
    Task LobbyChanged(LobbyChanged message);
    Task Admitted(AdmittedFromLobby message);
    Task Denied(Denied message);
    Task LobbyHost(LobbyHost message);
    Task LobbyEnabledChanged(LobbyEnabledChanged message);
}
