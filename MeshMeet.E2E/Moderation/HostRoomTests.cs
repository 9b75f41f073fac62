using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Moderation;

/// <summary>The host's room with three people: a lobby where guests knock, muting others, and moderation that the
/// other browsers enforce whatever the moderated person's page does.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HostRoomTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    /// <summary>Counts the tones the page starts (the knock's chime is made with oscillators).</summary>
    private const string CountTones = """
        window.__tones = 0;
        const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...args) { window.__tones++; return start.apply(this, args); };
        """;

    private async Task<CallPage> PersonAsync(string name)
    {
        var page = await Browser.PersonAsync(name, output);
        page.Dialog += (_, dialog) => dialog.AcceptAsync(); // "Mute everyone but the hosts?" -> yes
        return new CallPage(page);
    }

    private async Task<(CallPage Host, string Room)> HostAsync(object settings, bool join = true)
    {
        var (email, room, token) = await People.HostWithRoomAsync(Browser.App, "Surgery");
        await Browser.App.ChangeRoomAsync(token, room, settings);
        var host = await PersonAsync("host");
        await host.Page.AddInitScriptAsync(CountTones);
        await People.SignInAsync(host.Page, email);
        if (join) await host.JoinAsync(room, "Hanna");
        return (host, room);
    }

    [Fact]
    public async Task A_guest_knocks_with_the_camera_on_the_host_hears_it_and_lets_Ann_in_turns_Ben_away_and_neither_saw_the_call_before()
    {
        var (host, room) = await HostAsync(new { lobby = true }, join: false);
        var ann = await PersonAsync("ann");
        await ann.OpenAsync(room);
        await ann.ClickJoinAsync("Ann");

        // Nobody to let her in yet: she waits with her camera preview, outside the call.
        await ann.ExpectStateAsync("waiting");
        await Expect(ann.Page.Locator("#call-status")).ToHaveTextAsync("The host isn't here yet. You'll join as soon as they let you in.");
        await Expect(ann.Page.Locator("#preview")).ToBeVisibleAsync();
        Assert.True(await ann.Page.EvaluateAsync<bool>("() => document.getElementById('preview').srcObject?.getVideoTracks()[0]?.readyState === 'live'"));
        await Expect(ann.Button("Join")).ToBeHiddenAsync();

        await host.JoinAsync(room, "Hanna");
        await Expect(ann.Page.Locator("#call-status")).ToHaveTextAsync("Waiting for the host to let you in.");
        var lobby = host.Page.Locator("#lobby-panel");
        await Expect(lobby).ToBeVisibleAsync();
        await Expect(lobby).ToContainTextAsync("Ann");
        await Expect(host.Page.Locator("[data-peer-id]")).ToHaveCountAsync(0); // a guest waiting is not in the call
        Assert.True(await host.Page.EvaluateAsync<int>("() => window.__tones") >= 2, "the knock's chime");

        // With the host's tab in the background, a second knock shows in its title.
        await host.Page.EvaluateAsync(PageScripts.SetVisibility, false);
        var ben = await PersonAsync("ben");
        await ben.OpenAsync(room);
        await ben.ClickJoinAsync("Ben");
        await ben.ExpectStateAsync("waiting");
        await Expect(host.Page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"^\(2\) "));
        await host.Page.EvaluateAsync(PageScripts.SetVisibility, true);
        await Expect(host.Page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"^[^(]"));

        await host.Button("Admit Ann").ClickAsync();
        await ann.ExpectStateAsync("in-call");
        await host.Button("Deny Ben").ClickAsync();
        await ben.ExpectStateAsync("denied");
        await Expect(ben.Page.GetByText("The host didn't let you in. You can ask again in a few minutes.")).ToBeVisibleAsync();
        await Expect(lobby).ToBeHiddenAsync();

        await CallPage.ExpectEveryPairPlayingAsync(host, ann);
        await ben.ExpectPeerCountAsync(0);
        Assert.Empty(await ben.Page.EvaluateAsync<string[]>("() => window.__peerConnections.map(pc => pc.connectionState)"));
    }

    [Fact]
    public async Task A_host_mute_silences_Ann_on_every_page_even_when_her_page_ignores_it_until_the_host_allows_her_to_speak()
    {
        var (host, room) = await HostAsync(new { askToUnmute = true });
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        var annId = (await ann.SelfIdAsync())!;
        await CallPage.ExpectEveryPairPlayingAsync(host, ann, ben);
        Assert.True(await ben.Page.EvaluateAsync<double>(PageScripts.PlayedPeak, annId) > 0.01, "Ben hears Ann before the mute");

        await host.Button("Mute Ann").ClickAsync();
        await Expect(ann.Page.GetByText("Hanna muted your microphone. Raise your hand to ask to turn it on again.")).ToBeVisibleAsync();
        await Expect(ben.Tile(annId)).ToHaveAttributeAsync("data-muted-by-host", "audio");
        await Expect(ann.Button("Unmute")).ToBeVisibleAsync();

        // Ann's page turns her microphone back on behind the host's back: Ben's page still plays nothing of her.
        await ann.Page.EvaluateAsync(PageScripts.IgnoreHostMute);
        var sentBefore = await ann.Page.EvaluateAsync<double>(PageScripts.AudioPacketsSent);
        Assert.True(await ben.Page.EvaluateAsync<double>(PageScripts.PlayedPeak, annId) < 0.001, "Ben's page plays Ann's audio after a host mute");
        Assert.True(await ann.Page.EvaluateAsync<double>(PageScripts.AudioPacketsSent) > sentBefore, "Ann's page kept sending");

        // Unmuting within the rules: refused until the host allows it.
        await ann.Button("Unmute").ClickAsync();
        await Expect(ann.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The host muted your microphone. Raise your hand to ask to speak.");
        await Expect(ann.Button("Unmute")).ToBeVisibleAsync();
        await ann.Button("Raise hand").ClickAsync();
        await host.Button("Allow Ann to speak").ClickAsync();
        await Expect(ann.Page.GetByText("The host allows you to speak")).ToBeVisibleAsync();
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-hand-raised", "false");
        await ann.Button("Unmute").ClickAsync();
        await Expect(ben.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "false");
        await Expect(ben.Tile(annId)).Not.ToHaveAttributeAsync("data-muted-by-host", "audio");
        Assert.True(await ben.Page.EvaluateAsync<double>(PageScripts.PlayedPeak, annId) > 0.01, "Ben hears Ann once she may speak");

        // Stop video, the same way: her camera is off on Ben's page whatever her page does.
        await host.Button("Stop Ann's video").ClickAsync();
        await Expect(ben.Tile(annId)).ToHaveAttributeAsync("data-video-muted", "true");
        await ann.Page.EvaluateAsync(PageScripts.IgnoreHostMute);
        await Expect(ben.Tile(annId).Locator(".avatar")).ToBeVisibleAsync();
        Assert.False(await ben.Tile(annId).EvaluateAsync<bool>("tile => tile.querySelector('video').srcObject.getVideoTracks()[0].enabled"));

        // Mute everyone: both guests, not the host.
        await host.Button("Mute everyone").ClickAsync();
        var benId = (await ben.SelfIdAsync())!;
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "true");
        await Expect(host.Tile(benId)).ToHaveAttributeAsync("data-audio-muted", "true");
        await Expect(ben.Button("Unmute")).ToBeVisibleAsync();
        await Expect(ann.Tile((await host.SelfIdAsync())!)).ToHaveAttributeAsync("data-audio-muted", "false");
    }

    [Fact]
    public async Task A_guest_who_knocks_before_the_camera_starts_is_let_in_at_once_and_seen_and_heard_by_both()
    {
        var (host, room) = await HostAsync(new { lobby = true });
        await Expect(host.Page.GetByLabel("Ask to join")).ToBeCheckedAsync(); // the host's switch shows the room's setting
        var cleo = await PersonAsync("cleo");
        await cleo.Page.Context.AddInitScriptAsync(PageScripts.SlowCamera);
        await cleo.OpenAsync(room);
        await cleo.ClickJoinAsync("Cleo"); // the camera is still starting
        await cleo.ExpectStateAsync("joining");

        // The host lets her in the moment she knocks; then Ann walks in after the host turns the lobby off.
        await host.Button("Admit Cleo").ClickAsync(new() { Timeout = 15_000 });
        await Expect(cleo.CallRoot).ToHaveAttributeAsync("data-call-state", "in-call", new() { Timeout = 15_000 });
        await host.Page.GetByLabel("Ask to join").UncheckAsync();
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        await CallPage.ExpectEveryPairPlayingAsync(host, ann, cleo);
        Assert.Equal(2, (await cleo.InboundAudioPacketsAsync()).Length);
        await host.ExpectHearingAsync(2);
    }

    [Fact]
    public async Task A_newcomer_never_hears_someone_the_host_muted_even_when_that_page_ignores_the_mute()
    {
        var (host, room) = await HostAsync(new { askToUnmute = true });
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var annId = (await ann.SelfIdAsync())!;
        await host.Button("Mute Ann").ClickAsync();
        await Expect(ann.Button("Unmute")).ToBeVisibleAsync();
        await ann.Page.EvaluateAsync(PageScripts.IgnoreHostMute);

        // Ben's connection to Ann is made after the mute: her audio is silent on his page from its first packet.
        var ben = await PersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        await ben.ExpectVideoPlayingAsync(annId);
        await Expect(ben.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "true");
        Assert.True(await ben.Page.EvaluateAsync<double>(PageScripts.PlayedPeak, annId) < 0.001, "Ben's page plays the host-muted Ann");
        Assert.True(await ben.Page.EvaluateAsync<double>(PageScripts.PlayedPeak, (await host.SelfIdAsync())!) > 0.01, "Ben hears the host");
    }

    [Fact]
    public async Task After_a_kick_the_others_close_their_connections_to_Ann_even_when_her_page_keeps_its_own()
    {
        var (host, room) = await HostAsync(new { });
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        await CallPage.ExpectEveryPairPlayingAsync(host, ann, ben);
        // A modified page that never closes its connections.
        await ann.Page.EvaluateAsync("() => { RTCPeerConnection.prototype.close = function () {}; }");

        await host.Button("Kick Ann").ClickAsync();
        await ann.ExpectStateAsync("kicked");

        const string live = "() => window.__peerConnections.filter(pc => pc.connectionState === 'connected' || pc.connectionState === 'connecting').length";
        foreach (var page in new[] { host, ben })
            await PageScripts.PollAsync(async () => await page.Page.EvaluateAsync<int>(live) == 1, 10_000, "one live connection left (with each other)",
                page.DescribeAsync);
        await CallPage.ExpectEveryPairPlayingAsync(host, ben);
    }
}
