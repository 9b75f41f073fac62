using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Calls.Media;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Moderation;

/// <summary>Muting others through real SignalR clients: who may, what everyone hears, and a mute that sticks in a
/// room that asks to unmute.</summary>
[Collection(AppCollection.Name)]
public sealed class MutingHubTests(MeshMeetApp app)
{
    /// <summary>The host and two guests in one call; disposing it closes all three.</summary>
    private sealed record Call(string Room, CallClient Host, CallClient Ann, CallClient Ben) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var client in new[] { Host, Ann, Ben }) await client.DisposeAsync();
        }
    }

    private async Task<Call> CallAsync(bool askToUnmute)
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(token, "Town hall");
        await app.ChangeRoomAsync(token, room, new { askToUnmute });
        var host = await CallClient.ConnectAsync(app, token);
        var ann = await CallClient.ConnectAsync(app);
        var ben = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await ann.JoinAsync(room, "Ann");
        await ben.JoinAsync(room, "Ben");
        return new Call(room, host, ann, ben);
    }

    [Fact]
    public async Task A_host_mute_sticks_until_the_host_allows_it_everyone_hears_it_and_a_newcomer_reads_it()
    {
        await using var call = await CallAsync(askToUnmute: true);
        var (room, host, ann, ben) = call;

        await host.InvokeAsync("MuteParticipant", new MuteParticipantRequest(ann.SelfId, "audio"));
        Assert.Equal(new MutedByHost(ann.SelfId, "audio", "Host", true), await ann.WaitForAsync<MutedByHost>("MutedByHost"));
        Assert.Equal(new MutedByHost(ann.SelfId, "audio", "Host", true), await ben.WaitForAsync<MutedByHost>("MutedByHost"));

        // Ann's page cannot turn it back on (whatever it does, the server tells nobody it is on), nor can Ben lift it.
        var unmute = await Assert.ThrowsAsync<HubException>(() => ann.InvokeAsync("SetMediaState", new SetMediaStateRequest(false, false)));
        Assert.Equal("The host muted your microphone. Raise your hand to ask to speak.", CallClient.Reason(unmute));
        await ann.InvokeAsync("SetMediaState", new SetMediaStateRequest(true, true)); // turning more off is always fine
        var byGuest = await Assert.ThrowsAsync<HubException>(() => ben.InvokeAsync("AllowToSpeak", new AllowToSpeakRequest(ann.SelfId)));
        Assert.Equal("Only the room's host or a co-host can do that.", CallClient.Reason(byGuest));
        await using var newcomer = await CallClient.ConnectAsync(app);
        var annAsSeen = (await newcomer.JoinAsync(room, "Cleo")).Peers.Single(p => p.Id == ann.SelfId);
        Assert.True(annAsSeen.AudioMuted && annAsSeen.AudioHeld);

        // Ann raises her hand; the host allows her to speak (her hand goes down) and she unmutes.
        await ann.InvokeAsync("SetHand", new Web.Calls.Hands.SetHandRequest(true));
        await host.InvokeAsync("AllowToSpeak", new AllowToSpeakRequest(ann.SelfId));
        await ben.WaitForAsync<AllowedToSpeak>("AllowedToSpeak", m => m.Id == ann.SelfId);
        await ann.InvokeAsync("SetMediaState", new SetMediaStateRequest(false, false));
        Assert.False((await ben.WaitForAsync<MediaStateChanged>("MediaStateChanged", m => m.Id == ann.SelfId && !m.AudioMuted)).AudioMuted);
        await using var later = await CallClient.ConnectAsync(app);
        var annLater = (await later.JoinAsync(room, "Dan")).Peers.Single(p => p.Id == ann.SelfId);
        Assert.False(annLater.AudioMuted || annLater.AudioHeld || annLater.HandRaised);

        await using var scope = app.Services.CreateAsyncScope();
        var timeline = await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(room);
        var muted = timeline.Single(e => e.Event == "ParticipantMutedByHost");
        Assert.Equal(($"Ann ({ann.SelfId})", "microphone, until allowed"), (muted.Participant, muted.Details));
        Assert.StartsWith("Host (", muted.Actor);
        Assert.Single(timeline, e => e.Event == "ParticipantAllowedToSpeak");
    }

    [Fact]
    public async Task Without_ask_to_unmute_a_muted_person_unmutes_themselves_and_mute_everyone_spares_the_hosts()
    {
        await using var call = await CallAsync(askToUnmute: false);
        var (room, host, ann, ben) = call;
        await host.InvokeAsync("SetCohost", new SetCohostRequest(ben.SelfId, true));

        await host.InvokeAsync("MuteParticipant", new MuteParticipantRequest(ann.SelfId, "video"));
        Assert.Equal(new MutedByHost(ann.SelfId, "video", "Host", false), await ann.WaitForAsync<MutedByHost>("MutedByHost"));
        await ann.InvokeAsync("SetMediaState", new SetMediaStateRequest(false, false)); // not held: allowed

        // Mute everyone: Ann only (the owner and the co-host are hosts); the co-host may do it too, not to the owner.
        await ben.InvokeAsync("MuteAll", new MuteAllRequest());
        var all = await host.WaitForAsync<MutedByHost>("MutedByHost", m => m.Kind == "audio");
        Assert.Equal(new MutedByHost(ann.SelfId, "audio", "Ben", false), all);
        await host.BarrierAsync();
        Assert.Single(host.Events<MutedByHost>("MutedByHost"), m => m.Kind == "audio");
        var owner = await Assert.ThrowsAsync<HubException>(() => ben.InvokeAsync("MuteParticipant", new MuteParticipantRequest(host.SelfId, "audio")));
        Assert.Equal("The room's owner is always a host.", CallClient.Reason(owner));
        var self = await Assert.ThrowsAsync<HubException>(() => host.InvokeAsync("MuteParticipant", new MuteParticipantRequest(host.SelfId, "audio")));
        Assert.Equal("Use your own Mute and Stop video buttons.", CallClient.Reason(self));
        var kind = await Assert.ThrowsAsync<HubException>(() => host.InvokeAsync("MuteParticipant", new MuteParticipantRequest(ann.SelfId, "screen")));
        Assert.Equal("Say what to turn off: audio or video.", CallClient.Reason(kind));
        var byGuest = await Assert.ThrowsAsync<HubException>(() => ann.InvokeAsync("MuteAll", new MuteAllRequest()));
        Assert.Equal("Only the room's host or a co-host can do that.", CallClient.Reason(byGuest));

        // Muting one already muted records nothing and tells nobody.
        var before = ann.Count("MutedByHost");
        await host.InvokeAsync("MuteParticipant", new MuteParticipantRequest(ann.SelfId, "audio"));
        await ann.BarrierAsync();
        Assert.Equal(before, ann.Count("MutedByHost"));
        await using var scope = app.Services.CreateAsyncScope();
        var timeline = await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(room);
        Assert.Equal(2, timeline.Count(e => e.Event == "ParticipantMutedByHost"));
    }
}
