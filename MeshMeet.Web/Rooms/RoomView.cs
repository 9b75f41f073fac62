namespace MeshMeet.Web.Rooms;

/// <summary>A room as pages and the JSON API show it.</summary>
public sealed record RoomView(string Id, string Name, int Capacity, string JoinUrl, DateTimeOffset CreatedAt, int LiveParticipants,
    bool Lobby = false, bool AskToUnmute = false);

/// <summary>What /r/{id} needs to know about a room before anyone joins.</summary>
public sealed record RoomLobby(string Id, string Name, int Capacity, bool IsOwner);
