namespace MeshMeet.Web.Signaling;

/// <summary>
/// "Is this participant in that room?" for the relay: the roster in memory answers almost always; a participant it
/// does not know (joined through another instance, or an add lost to a race) is looked up in the database once and
/// remembered. A miss that the database confirms is a refusal, which the hub's rate limit bounds.
/// </summary>
public sealed class RosterLookup(SeatRegistry seats, IServiceScopeFactory scopes)
{
    public async ValueTask<bool> IsSeatedAsync(Guid roomId, string participantId, CancellationToken ct)
    {
        if (seats.InRoster(roomId, participantId)) return true;
        await using var scope = scopes.CreateAsyncScope();
        if (!await scope.ServiceProvider.GetRequiredService<Presence>().IsSeatedAsync(roomId, participantId, ct)) return false;
        seats.AddToRoster(roomId, participantId);
        return true;
    }
}
