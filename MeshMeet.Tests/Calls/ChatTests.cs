using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Tests.Calls;

public sealed class ChatRulesTests
{
    [Theory]
    [InlineData("  hello  ", "hello")]
    [InlineData("two\r\nlines", "two\nlines")]
    [InlineData("<script>alert(1)</script>", "<script>alert(1)</script>")] // text; the page shows it as text
    public void Messages_are_trimmed_and_otherwise_kept(string text, string relayed) =>
        Assert.Equal((relayed, null), ChatRules.Clean(text));

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    [InlineData("bell\u0007")]
    [InlineData("nul\0")]
    [InlineData("Bob: \u202Enimda eht ma I")] // right-to-left override
    [InlineData("hi \u2067Ann\u2069")] // right-to-left isolate
    [InlineData("\u202Aembedded")]
    public void Empty_text_control_and_text_direction_characters_are_refused(string? text) => Assert.NotNull(ChatRules.Clean(text).Error);

    [Fact]
    public void At_most_a_thousand_characters()
    {
        Assert.Null(ChatRules.Clean(new string('x', 1000)).Error);
        Assert.Contains("1000", ChatRules.Clean(new string('x', 1001)).Error);
    }
}

[Collection(AppCollection.Name)]
public sealed class ChatTests(MeshMeetApp app)
{
    private async Task<(string Room, string Token)> RoomAsync()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        return (await app.CreateRoomAsync(token, "Chatty"), token);
    }

    [Fact]
    public async Task A_message_reaches_everyone_in_the_room_and_no_one_elsewhere()
    {
        var (room, token) = await RoomAsync();
        var (otherRoom, _) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, token);
        await using var guest = await CallClient.ConnectAsync(app);
        await using var elsewhere = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await guest.JoinAsync(room, "Gus");
        await elsewhere.JoinAsync(otherRoom, "Elsewhere");

        await guest.InvokeAsync("SendChat", new SendChatRequest("  <b>hi</b> all  "));

        foreach (var c in new[] { host, guest })
        {
            var m = await c.WaitForAsync<ChatMessage>("ChatMessage");
            Assert.Equal((guest.SelfId, "Gus", "<b>hi</b> all"), (m.From, m.DisplayName, m.Text));
        }
        await elsewhere.BarrierAsync();
        Assert.Equal(0, elsewhere.Count("ChatMessage"));
    }

    [Fact]
    public async Task Bad_text_strangers_floods_and_the_kicked_are_refused_in_words()
    {
        var (room, token) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(app, token);
        await using var guest = await CallClient.ConnectAsync(app);
        await using var stranger = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        var guestId = (await guest.JoinAsync(room, "Gus")).SelfId;

        Assert.Contains("at most 1000", CallClient.Reason(await Assert.ThrowsAsync<HubException>(() => guest.InvokeAsync("SendChat", new SendChatRequest(new string('x', 1001))))));
        Assert.Equal(JoinRules.NotInRoom, CallClient.Reason(await Assert.ThrowsAsync<HubException>(() => stranger.InvokeAsync("SendChat", new SendChatRequest("hello?")))));

        // Ten in a burst, then one a second.
        for (var i = 0; i < 10; i++) await host.InvokeAsync("SendChat", new SendChatRequest($"m{i}"));
        await guest.WaitForAsync<ChatMessage>("ChatMessage", m => m.Text == "m9");
        Assert.StartsWith("Too many requests", CallClient.Reason(await Assert.ThrowsAsync<HubException>(() => host.InvokeAsync("SendChat", new SendChatRequest("one more")))));

        await host.InvokeAsync("KickParticipant", new KickParticipantRequest(guestId));
        await guest.WaitForAsync<Kicked>("Kicked");
        await Assert.ThrowsAsync<HubException>(() => guest.InvokeAsync("SendChat", new SendChatRequest("let me back")));
        await host.BarrierAsync();
        Assert.DoesNotContain(host.Events<ChatMessage>("ChatMessage"), m => m.Text == "let me back");
    }
}
