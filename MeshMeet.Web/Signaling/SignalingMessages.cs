namespace MeshMeet.Web.Signaling;

// One record per hub method and per client event (DESIGN.md, "Hub contract"). Adding a field later must not break old
// clients, so every client-to-server method takes exactly one message object.

/// <param name="AdmissionTicket">From <c>Admitted</c>: the host let this guest in from the lobby.</param>
public sealed record JoinRoomRequest(string? RoomId, string? DisplayName, string? ReconnectToken = null, string? AdmissionTicket = null);

/// <param name="AudioHeld">The host muted this microphone and holds it off until they allow it ("Ask to unmute").</param>
public sealed record PeerInfo(string Id, string DisplayName, bool IsHost, bool AudioMuted, bool VideoMuted, bool HandRaised = false,
    bool ScreenSharing = false, bool IsCohost = false, bool AudioHeld = false, bool VideoHeld = false, bool Recording = false);

public sealed record IceServerConfig(string[] Urls, string? Username = null, string? Credential = null);

/// <summary>JoinRoom's answer. <c>ReconnectToken</c> lets this browser resume the same identity after a drop;
/// <c>UplinkBudgetKbps</c> is what all of its video uploads together should stay within; <c>IceServers</c> carry
/// TURN credentials of this participant's own, to be refreshed after <c>IceRefreshSeconds</c> (0: nothing to refresh);
/// <c>IceTransportPolicy</c> "relay" means media only through TURN. <c>Self</c> is the caller as seated (on a resume:
/// what the server holds, a microphone the host muted included). <c>Lobby</c>: the room asks to join;
/// <c>RecordingOff</c>: the host turned local recording off for the room.
/// <para><c>Waiting</c>: not seated but knocking in the room's lobby (everything else empty); <c>HostPresent</c> says
/// whether anyone who can let them in is in the call. <c>Admitted</c> or <c>Denied</c> follows.</para></summary>
public sealed record JoinRoomResult(
    string SelfId, bool IsHost, int Capacity, PeerInfo[] Peers, IceServerConfig[] IceServers,
    string ReconnectToken, string RoomName, bool Locked, bool Resumed, int UplinkBudgetKbps, string IceTransportPolicy,
    int IceRefreshSeconds = 0, bool IsCohost = false, PeerInfo? Self = null, bool Lobby = false, bool Waiting = false, bool HostPresent = false,
    bool RecordingOff = false)
{
    public static JoinRoomResult WaitingIn(string roomName, int capacity, bool hostPresent) =>
        new("", false, capacity, [], [], "", roomName, false, false, 0, IceSettings.All, Lobby: true, Waiting: true, HostPresent: hostPresent);
}

public sealed record RefreshIceServersRequest;

/// <summary>Fresh ICE servers (TURN credentials) for a participant still seated in a call.</summary>
public sealed record RefreshIceServersResult(IceServerConfig[] IceServers, int IceRefreshSeconds);

public sealed record SessionDescription(string? Type, string? Sdp);

public sealed record IceCandidate(string? Candidate, string? SdpMid, int? SdpMLineIndex, string? UsernameFragment);

[System.Text.Json.Serialization.JsonConverter(typeof(SignalJson.RequestConverter))]
public sealed record SignalRequest(string? To, SessionDescription? Description, IceCandidate? Candidate);

[System.Text.Json.Serialization.JsonConverter(typeof(SignalJson.MessageConverter))]
public sealed record SignalMessage(string From, SessionDescription? Description, IceCandidate? Candidate);

public sealed record LeaveRoomRequest;

public sealed record PeerLeft(string Id, string Reason);

public sealed record Kicked(string Reason);

public sealed record RoomClosed(string Reason);

/// <summary>Why a call closed, as RoomClosed.reason says it.</summary>
public static class RoomClosedReasons
{
    public const string Ended = "ended";
    public const string Deleted = "deleted";
}

/// <summary>The server-to-client events; their names are the JS client's handler names. Partial: each call feature
/// declares its own events in its folder.</summary>
public partial interface ISignalingClient
{
    Task PeerJoined(PeerInfo peer);
    Task PeerLeft(PeerLeft message);
    Task Signal(SignalMessage message);
    Task Kicked(Kicked message);
    Task RoomClosed(RoomClosed message);
}
