using MeshMeet.Web.Infrastructure;

namespace MeshMeet.Web.Rooms;

/// <summary>A room as a host asked for it, already checked.</summary>
/// <param name="Lobby">"Ask to join": guests wait until a host lets them in.</param>
/// <param name="AskToUnmute">Someone the host muted stays muted until the host allows them to speak.</param>
public sealed record NewRoom(string Name, int Capacity, bool Lobby = false, bool AskToUnmute = false);

/// <summary>What a host changes of a room's settings; null leaves a setting as it is.</summary>
public sealed record RoomSettings(bool? Lobby, bool? AskToUnmute);

/// <summary>Pure rules for rooms: what a valid room is. No database, unit-tested.</summary>
public static class RoomRules
{
    public const int MaxNameLength = 80;
    public const int MinCapacity = 2;
    /// <summary>A full mesh sends N-1 uploads per person; beyond 6 a home uplink cannot carry useful video.</summary>
    public const int MaxCapacity = 6;

    /// <summary>Checks a create request; errors are keyed by the (camelCase) field they belong to.</summary>
    public static (NewRoom? Room, Dictionary<string, string[]> Errors) Validate(string? name, int? capacity)
    {
        var errors = new Dictionary<string, string[]>();
        var (cleanName, nameError) = NameRules.Clean(name, MaxNameLength, "Room name");
        if (nameError is not null) errors["name"] = [nameError];
        var cap = capacity ?? MaxCapacity;
        if (cap is < MinCapacity or > MaxCapacity)
            errors["capacity"] = [$"Capacity must be between {MinCapacity} and {MaxCapacity}."];
        return errors.Count == 0 ? (new NewRoom(cleanName!, cap), errors) : (null, errors);
    }
}
