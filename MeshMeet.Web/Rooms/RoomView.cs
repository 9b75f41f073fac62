namespace MeshMeet.Web.Rooms;

/// <summary>A room as pages and the JSON API show it.</summary>
public sealed record RoomView(string Id, string Name, int Capacity, string JoinUrl, DateTimeOffset CreatedAt, int LiveParticipants,
    bool Lobby = false, bool AskToUnmute = false);

/// <summary>What /r/{id} needs to know about a room before anyone joins.</summary>
/// <param name="AsksToJoin">Guests wait in the lobby until the host lets them in.</param>
public sealed record RoomLobby(string Id, string Name, int Capacity, bool IsOwner, bool AsksToJoin = false);
