using MeshMeet.Tests.Support;
using MeshMeet.Web.Calls.Reactions;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Tests.Calls;

public sealed class ReactionRulesTests
{
    [Theory]
    [InlineData("👍")]
    [InlineData("👏")]
    [InlineData("😂")]
    [InlineData("❤️")]
    [InlineData("🎉")]
    [InlineData("😮")]
    public void Each_of_the_six_is_relayed_as_it_is(string emoji) => Assert.Equal((emoji, null), ReactionRules.Check(emoji));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("❤")] // the heart without its emoji presentation selector is another string
    [InlineData("👍👍")]
    [InlineData("hello")]
    public void Anything_else_is_refused_in_words(string? emoji) => Assert.StartsWith("A reaction is one of", ReactionRules.Check(emoji).Error);
}

[Collection(AppCollection.Name)]
public sealed class ReactionTests(MeshMeetApp app)
{
    [Fact]
    public async Task A_reaction_reaches_everyone_in_the_room_the_sender_included_and_no_one_elsewhere()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(token, "Cheers");
        var otherRoom = await app.CreateRoomAsync(token, "Elsewhere");
        await using var ann = await CallClient.ConnectAsync(app);
        await using var ben = await CallClient.ConnectAsync(app);
        await using var elsewhere = await CallClient.ConnectAsync(app);
        var annId = (await ann.JoinAsync(room, "Ann")).SelfId;
        await ben.JoinAsync(room, "Ben");
        await elsewhere.JoinAsync(otherRoom, "Eve");

        await ann.InvokeAsync("SendReaction", new SendReactionRequest("🎉"));

        foreach (var c in new[] { ann, ben }) Assert.Equal(new Reaction(annId, "🎉"), await c.WaitForAsync<Reaction>("Reaction"));
        await elsewhere.BarrierAsync();
        Assert.Equal(0, elsewhere.Count("Reaction"));
    }

    [Fact]
    public async Task Other_text_strangers_and_floods_are_refused_in_words()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(token, "Cheers");
        await using var ann = await CallClient.ConnectAsync(app);
        await using var stranger = await CallClient.ConnectAsync(app);
        await ann.JoinAsync(room, "Ann");

        Assert.StartsWith("A reaction is one of", CallClient.Reason(await Assert.ThrowsAsync<HubException>(() => ann.InvokeAsync("SendReaction", new SendReactionRequest("<b>hi</b>")))));
        Assert.Equal(JoinRules.NotInRoom, CallClient.Reason(await Assert.ThrowsAsync<HubException>(() => stranger.InvokeAsync("SendReaction", new SendReactionRequest("👍")))));

        // A burst of ten (the refused one above drew from it too), then the bucket is empty.
        for (var i = 0; i < 9; i++) await ann.InvokeAsync("SendReaction", new SendReactionRequest("👍"));
        Assert.Contains("Too many requests", CallClient.Reason(await Assert.ThrowsAsync<HubException>(() => ann.InvokeAsync("SendReaction", new SendReactionRequest("👍")))));
        // Chat has a bucket of its own: reacting did not use it up.
        await ann.InvokeAsync("SendChat", new SendChatRequest("still here"));
    }
}
