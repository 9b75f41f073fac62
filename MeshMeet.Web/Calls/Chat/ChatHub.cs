using MeshMeet.Web.Calls.Chat;
using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

public sealed partial class SignalingHub
{
    /// <summary>Chat: checked, stamped with the sender's seat, relayed to the room (the sender included), stored nowhere.</summary>
    [RateBucket("Chat", burst: 10, perSecond: 1)]
    public async Task SendChat(SendChatRequest request)
    {
        var (text, error) = ChatRules.Clean(request.Text);
        if (error is not null) throw new HubException(error);
        using var pass = EnterSeat();
        var seat = pass.Seat;
        await notifier.Room(seat.RoomId).ChatMessage(new ChatMessage(SecureId.New(), seat.ParticipantId, seat.DisplayName, text!, clock.GetUtcNow()));
    }
}

public partial interface ISignalingClient
{
    Task ChatMessage(ChatMessage message);
}
