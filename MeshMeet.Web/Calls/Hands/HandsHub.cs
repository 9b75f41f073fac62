using MeshMeet.Web.Calls.Hands;
using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

public sealed partial class SignalingHub
{
    /// <summary>Raise or lower one's hand, or (the host) lower someone else's; everyone in the room hears the change.</summary>
    [RateBucket(StateBucket.Name, StateBucket.Burst, StateBucket.PerSecond)]
    public async Task SetHand(SetHandRequest request, MeshMeetDb db)
    {
        var seat = SeatOrThrow();
        var decision = await db.SetHandAsync(seat.RoomId, seat.ParticipantId, UserId, request.ParticipantId ?? seat.ParticipantId, request.Raised, Context.ConnectionAborted);
        if (decision is HandDecision.Refused refused) throw new HubException(refused.Words);
        if (decision is HandDecision.Changed changed) await notifier.Room(seat.RoomId).HandChanged(changed.Event);
    }
}

public partial interface ISignalingClient
{
    Task HandChanged(HandChanged message);
}
