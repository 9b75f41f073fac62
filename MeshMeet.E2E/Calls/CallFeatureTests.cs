using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>What people expect in a call beyond seeing each other: a shared screen, who is speaking, switching devices,
/// the link to share and keyboard shortcuts. Three people each, with real media.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CallFeatureTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private async Task<CallPage> PersonAsync(string name) => new(await Browser.PersonAsync(name, output));

    /// <summary>The signed-in host (Hanna), Ann and Ben in one call, every pair playing.</summary>
    private async Task<(CallPage Host, CallPage Ann, CallPage Ben, string Room)> ThreeInACallAsync()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App);
        var host = await PersonAsync("host");
        await People.SignInAsync(host.Page, email);
        await host.JoinAsync(room, "Hanna");
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        await CallPage.ExpectEveryPairPlayingAsync(host, ann, ben);
        return (host, ann, ben, room);
    }

    [Fact]
    public async Task A_shared_screen_decodes_at_full_size_on_both_other_pages_while_the_camera_plays_and_ends_from_the_browser_bar()
    {
        var (host, ann, ben, _) = await ThreeInACallAsync();
        var annId = (await ann.SelfIdAsync())!;
        foreach (var other in new[] { host, ben }) await Expect(other.Tile(annId)).ToHaveAttributeAsync("data-connection", "connected");

        await ann.Button("Share screen").ClickAsync();

        await Expect(ann.Button("Stop sharing")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = 15_000 });
        var screen = await ann.SharedScreenSizeAsync();
        Log($"Ann's screen is captured at {screen}");
        foreach (var other in new[] { host, ben })
        {
            await Expect(other.Tile(annId)).ToHaveAttributeAsync("data-screen-sharing", "true");
            await other.ExpectScreenAsync(annId, screen);
            await other.ExpectVideoPlayingAsync(annId); // the camera too
        }
        // Sharing started and stopped without renegotiating: still one connection per pair.
        Assert.Equal(2, await ann.Page.EvaluateAsync<int>("() => window.__peerConnections.filter(pc => pc.connectionState === 'connected').length"));

        // The browser's own "Stop sharing" ends the track.
        await ann.Page.EvaluateAsync("""
            () => window.__peerConnections.flatMap(pc => pc.getSenders()).map(s => s.track).filter(t => t?.label.startsWith('screen'))
              .forEach(t => { t.stop(); t.dispatchEvent(new Event('ended')); })
            """);
        await Expect(ann.Button("Share screen")).ToHaveAttributeAsync("aria-pressed", "false");
        foreach (var other in new[] { host, ben })
        {
            await Expect(other.Tile(annId)).ToHaveAttributeAsync("data-screen-sharing", "false");
            await Expect(other.Tile(annId).Locator("video[data-screen]")).ToBeHiddenAsync();
            await other.ExpectVideoPlayingAsync(annId);
        }

        // Shared again, a newcomer sees it from the start (Ben has left: four browsers in a call are too many for two cores).
        await ann.Button("Share screen").ClickAsync();
        await ben.Button("Leave").ClickAsync();
        var cleo = await PersonAsync("cleo");
        await cleo.JoinAsync(await ann.Page.EvaluateAsync<string>("() => document.getElementById('call').dataset.roomId"), "Cleo");
        await Expect(cleo.Tile(annId)).ToHaveAttributeAsync("data-screen-sharing", "true");
        await cleo.ExpectScreenAsync(annId, await ann.SharedScreenSizeAsync());
        await ann.Button("Stop sharing").ClickAsync();
        await Expect(cleo.Tile(annId)).ToHaveAttributeAsync("data-screen-sharing", "false");
    }

    [Fact]
    public async Task The_speaking_ring_follows_the_microphone_and_never_shows_while_muted()
    {
        var (host, ann, ben, _) = await ThreeInACallAsync();
        var annId = (await ann.SelfIdAsync())!;
        // Chromium's fake microphone beeps: Ann is speaking on both other pages.
        foreach (var other in new[] { host, ben })
            await Expect(other.Tile(annId)).ToHaveAttributeAsync("data-speaking", "true", new() { Timeout = 20000 });

        await ann.Button("Mute").ClickAsync();
        foreach (var other in new[] { host, ben })
            await Expect(other.Tile(annId)).ToHaveAttributeAsync("data-speaking", "false", new() { Timeout = 3000 });
        // ... and stays off while she is muted, beeps or not.
        for (var i = 0; i < 10; i++)
        {
            foreach (var other in new[] { host, ben }) Assert.Equal("false", await other.Tile(annId).GetAttributeAsync("data-speaking"));
            await Task.Delay(300);
        }

        await ann.Button("Unmute").ClickAsync();
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-speaking", "true", new() { Timeout = 10000 });
    }

    [Fact]
    public async Task Switching_camera_and_microphone_in_the_call_keeps_every_remote_video_decoding_and_a_lost_device_falls_back()
    {
        var (host, ann, ben, _) = await ThreeInACallAsync();
        var annId = (await ann.SelfIdAsync())!;
        const string sentTracks = """
            () => window.__peerConnections.filter(pc => pc.connectionState === 'connected')
              .flatMap(pc => pc.getSenders()).map(s => s.track).filter(Boolean).map(t => t.id).sort().join()
            """;
        var before = await ann.Page.EvaluateAsync<string>(sentTracks);

        foreach (var (select, kind) in new[] { ("#call-camera", "video"), ("#call-microphone", "audio") })
        {
            var options = await ann.Page.Locator($"{select} option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
            Log($"{kind} devices: {string.Join(", ", options)}");
            var current = await ann.Page.Locator(select).InputValueAsync();
            var other = options.FirstOrDefault(o => o != current);
            if (other is null) continue; // one device of this kind: nothing to switch to
            await ann.Page.Locator(select).SelectOptionAsync(other);
            await Expect(ann.Page.Locator("#call-notice")).ToContainTextAsync("Now using");
            // The list shows the device whose track is now open (the self view's microphone is noise suppression's
            // own track, which names no device).
            await Expect(ann.Page.Locator(select)).ToHaveValueAsync(other);
        }
        var after = await ann.Page.EvaluateAsync<string>(sentTracks);
        Assert.NotEqual(before, after); // new tracks are being sent ...
        await CallPage.ExpectEveryPairPlayingAsync(host, ann, ben); // ... and every remote video keeps decoding
        Assert.Equal(2, await ann.Page.EvaluateAsync<int>("() => window.__peerConnections.filter(pc => pc.connectionState === 'connected').length"));

        // The camera in use goes away (as when unplugged): the call falls back to another one and says so.
        await ann.Page.EvaluateAsync("() => document.getElementById('self-video').srcObject.getVideoTracks().forEach(t => t.dispatchEvent(new Event('ended')))");
        await Expect(ann.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("stopped working. Now using");
        foreach (var other in new[] { host, ben }) await other.ExpectVideoPlayingAsync(annId);
    }

    [Fact]
    public async Task The_host_sees_the_link_before_joining_everyone_can_copy_it_and_shortcuts_work_until_turned_off()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App);
        var host = await PersonAsync("host");
        await People.SignInAsync(host.Page, email);
        await host.OpenAsync(room);
        await Expect(host.Page.GetByLabel("Invite others with this link")).ToHaveValueAsync($"{Browser.App.BaseUrl}/r/{room}");
        await host.JoinAsync(room, "Hanna");
        var ann = await PersonAsync("ann");
        await ann.OpenAsync(room);
        await Expect(ann.Page.GetByLabel("Invite others with this link")).ToHaveCountAsync(0); // guests do not need it there
        await ann.JoinAsync(room, "Ann");
        var annId = (await ann.SelfIdAsync())!;

        await ann.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await ann.Button("Copy link").ClickAsync();
        await Expect(ann.Page.Locator("#call-notice")).ToContainTextAsync("Link copied");
        Assert.Equal($"{Browser.App.BaseUrl}/r/{room}", await ann.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // M mutes, V stops the video, H raises the hand, C opens the chat, announced on the buttons.
        await Expect(ann.Button("Mute")).ToHaveAttributeAsync("aria-keyshortcuts", "M");
        await ann.Page.Keyboard.PressAsync("m");
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "true");
        await ann.Page.Keyboard.PressAsync("v");
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-video-muted", "true");
        await ann.Page.Keyboard.PressAsync("h");
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-hand-raised", "true");
        await ann.Page.Keyboard.PressAsync("c");
        await Expect(ann.Page.GetByLabel("Message")).ToBeFocusedAsync();
        // Typing in the chat is typing, not shortcuts.
        await ann.Page.Keyboard.TypeAsync("mvh");
        await Expect(ann.Page.GetByLabel("Message")).ToHaveValueAsync("mvh");
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "true");

        await ann.Page.GetByLabel("Keyboard shortcuts").UncheckAsync();
        await ann.Page.Locator("body").ClickAsync(new() { Position = new() { X = 5, Y = 5 } });
        await ann.Page.Keyboard.PressAsync("m");
        await Task.Delay(1000);
        await Expect(ann.Button("Unmute")).ToHaveAttributeAsync("aria-pressed", "true"); // still muted: M did nothing
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "true");
    }

    [Fact]
    public async Task A_pair_whose_media_stops_repairs_itself_while_the_others_play_on()
    {
        var (host, ann, ben, _) = await ThreeInACallAsync();
        var annId = (await ann.SelfIdAsync())!;
        var benId = (await ben.SelfIdAsync())!;
        var connectionsBefore = await ben.Page.EvaluateAsync<int>("() => window.__peerConnections.length");

        // Ann's connection to Ben stops carrying media for good (as when an encoder or a middlebox stalls): its senders
        // send nothing and take no track again, not even from a renegotiation; the connection still says "connected".
        await ann.Page.EvaluateAsync("""
            async (benId) => {
              const video = [...document.querySelectorAll('[data-peer-id]')].find(t => t.dataset.peerId === benId).querySelector('video');
              const track = video.srcObject.getVideoTracks()[0];
              const pc = window.__peerConnections.find(p => p.getReceivers().some(r => r.track === track));
              await Promise.all(pc.getSenders().map(async s => {
                await s.replaceTrack(null);
                s.replaceTrack = async () => {};
              }));
            }
            """, benId);

        // Ben's page notices within seconds, restarts ICE, then builds a fresh connection with Ann: her video is back.
        await ben.Page.WaitForFunctionAsync($"() => window.__peerConnections.length > {connectionsBefore}", null, new() { Timeout = 30000 });
        await ben.ExpectVideoPlayingAsync(annId, 30000);
        await Expect(ben.Tile(annId)).ToHaveAttributeAsync("data-connection", "connected");
        await host.ExpectVideoPlayingAsync(annId);
        await ann.ExpectVideoPlayingAsync(benId);
    }

    private void Log(string line) => BrowserFixture.Log(output, line);
}
