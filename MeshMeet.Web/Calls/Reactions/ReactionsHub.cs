using MeshMeet.Web.Calls.Reactions;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

public sealed partial class SignalingHub
{
    /// <summary>A reaction: checked against the fixed set, sent to everyone in the room (the sender included, so every
    /// page shows it the same way), stored nowhere. A person clicks these: a small bucket of their own.</summary>
    [RateBucket("Reactions", burst: 10, perSecond: 2)]
    public async Task SendReaction(SendReactionRequest request)
    {
        var (emoji, error) = ReactionRules.Check(request.Emoji);
        if (error is not null) throw new HubException(error);
        using var pass = EnterSeat();
        await notifier.Room(pass.Seat.RoomId).Reaction(new Reaction(pass.Seat.ParticipantId, emoji!));
    }
}

public partial interface ISignalingClient
{
    Task Reaction(Reaction message);
}
