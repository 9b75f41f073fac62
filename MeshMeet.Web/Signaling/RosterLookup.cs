using MeshMeet.Web.Presence;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// "Is this participant in that room?" for the relay: the roster in memory answers almost always; a participant it
/// does not know (joined through another instance, or an add lost to a race) is looked up in the database once and
/// remembered. A miss that the database confirms is a refusal, which the hub's rate limit bounds.
/// </summary>
public sealed class RosterLookup(SeatRegistry seats, IServiceScopeFactory scopes)
{
    /// <summary>The group that reaches the participant in that room, or null if it is not seated there.</summary>
    public async ValueTask<string?> GroupOfAsync(Guid roomId, string participantId, CancellationToken ct)
    {
        if (seats.GroupInRoster(roomId, participantId) is { } group) return group;
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Admission>().IsSeatedAsync(roomId, participantId, ct)
            ? seats.AddToRoster(roomId, participantId)
            : null;
    }
}
