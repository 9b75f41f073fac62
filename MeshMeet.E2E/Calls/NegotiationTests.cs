using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>Pairs whose negotiation goes wrong on the way (offers that cross, an offer lost) and media that comes late:
/// each ends with every pair playing, camera and screen each in their own place.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NegotiationTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private async Task<CallPage> TappedPersonAsync(string name)
    {
        var page = await Browser.PersonAsync(name, output);
        await SignalTap.InstallAsync(page);
        return new CallPage(page);
    }

    /// <summary>Every live connection of the page has exactly the three slots: audio, camera and screen, negotiated.</summary>
    private static async Task ExpectThreeSlotsOnEveryPairAsync(CallPage page, int pairs)
    {
        var slots = await page.Page.EvaluateAsync<string[]>("""
            () => window.__peerConnections.filter(pc => pc.connectionState === 'connected').map(pc =>
              pc.getTransceivers().filter(t => t.mid !== null && t.direction !== 'stopped' && !t.stopped).map(t => t.receiver.track.kind).join(','))
            """);
        Assert.Equal(Enumerable.Repeat("audio,video,video", pairs), slots);
    }

    [Fact]
    public async Task Offers_that_cross_while_a_screen_is_shared_end_with_three_slots_per_pair_and_every_video_in_its_place()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App);
        var host = await TappedPersonAsync("host");
        await People.SignInAsync(host.Page, email);
        await host.JoinAsync(room, "Hanna");
        await host.Button("Share screen").ClickAsync();
        await Expect(host.Button("Stop sharing")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = 15_000 });
        var ann = await TappedPersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var hostId = (await host.SelfIdAsync())!;
        await ann.ExpectVideoPlayingAsync(hostId);
        var hostScreen = await host.SharedScreenSizeAsync();
        await ann.ExpectScreenAsync(hostId, hostScreen);

        // Every signal to Ben, and from him to the others, takes 4 s: the others offer to him when he joins, he hears
        // nothing for 3 s and offers too, and on both pairs the offers cross.
        var ben = await TappedPersonAsync("ben");
        await ben.OpenAsync(room);
        foreach (var page in new[] { host, ann, ben }) await SignalTap.HoldAsync(page.Page, 4000);
        await ben.JoinFromPreJoinAsync("Ben");
        await CallPage.ExpectEveryPairPlayingAsync(host, ann, ben);
        foreach (var page in new[] { host, ann, ben }) await SignalTap.HoldAsync(page.Page, 0);

        foreach (var page in new[] { host, ann, ben }) await ExpectThreeSlotsOnEveryPairAsync(page, 2);
        // The host's camera and screen each play in their own video on Ben's page, from different tracks.
        await ben.ExpectScreenAsync(hostId, hostScreen);
        await ben.ExpectVideoPlayingAsync(hostId);
        Assert.True(await ben.Page.EvaluateAsync<bool>("""
            ([id]) => {
              const tile = [...document.querySelectorAll('[data-peer-id]')].find(t => t.dataset.peerId === id);
              const camera = tile.querySelector('video:not([data-screen])').srcObject.getVideoTracks()[0];
              const screen = tile.querySelector('video[data-screen]').srcObject.getVideoTracks()[0];
              return camera !== screen;
            }
            """, new[] { hostId }), "camera and screen in different videos");

        // Ben, whose pairs were made by crossed offers, shares his screen: both others see it.
        var benId = (await ben.SelfIdAsync())!;
        await ben.Button("Share screen").ClickAsync();
        await Expect(ben.Button("Stop sharing")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = 15_000 });
        var benScreen = await ben.SharedScreenSizeAsync();
        await host.ExpectScreenAsync(benId, benScreen);
        await ann.ExpectScreenAsync(benId, benScreen);
        await CallPage.ExpectEveryPairPlayingAsync(host, ann, ben);
    }

    [Fact]
    public async Task A_pair_whose_offers_are_lost_on_the_way_connects_within_13_s_without_anyone_doing_anything()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = await TappedPersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await TappedPersonAsync("ben");
        await ben.OpenAsync(room);
        // Ann's offer to Ben is lost, and so is the one Ben makes when none arrives: nobody answers anything.
        await SignalTap.DropOffersAsync(ann.Page, 1);
        await SignalTap.DropOffersAsync(ben.Page, 1);
        await ben.JoinFromPreJoinAsync("Ben");
        var joinedAt = DateTime.UtcNow;

        var (annId, benId) = ((await ann.SelfIdAsync())!, (await ben.SelfIdAsync())!);
        await ann.ExpectVideoPlayingAsync(benId, timeoutMs: 13_000);
        await ben.ExpectVideoPlayingAsync(annId, timeoutMs: 13_000);
        Assert.True(DateTime.UtcNow - joinedAt < TimeSpan.FromSeconds(13), $"playing after {DateTime.UtcNow - joinedAt}");
        Assert.Equal(0, await ann.Page.EvaluateAsync<int>("() => window.__signalTap.dropOffers"));
        Assert.Equal(0, await ben.Page.EvaluateAsync<int>("() => window.__signalTap.dropOffers"));
    }

    [Fact]
    public async Task A_pair_whose_answer_the_connection_refuses_starts_afresh_and_connects_within_10_s()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = await TappedPersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await TappedPersonAsync("ben");
        await ben.OpenAsync(room);
        // Ann offers to Ben when he joins; whatever Ben's first connection answers her, her browser refuses, also when
        // she sends her offer again and he answers it again.
        await SignalTap.SpoilAnswersOfNextConnectionAsync(ann.Page);
        await ben.JoinFromPreJoinAsync("Ben");
        var joinedAt = DateTime.UtcNow;

        var (annId, benId) = ((await ann.SelfIdAsync())!, (await ben.SelfIdAsync())!);
        await ann.ExpectVideoPlayingAsync(benId, timeoutMs: 10_000);
        await ben.ExpectVideoPlayingAsync(annId, timeoutMs: 10_000);
        Assert.True(DateTime.UtcNow - joinedAt < TimeSpan.FromSeconds(10), $"playing after {DateTime.UtcNow - joinedAt}");
        Assert.True(await SignalTap.SpoiledAnswersAsync(ann.Page) >= 1, "no answer was refused");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);
    }

    /// <summary>The page has no camera until the test "plugs one in": getUserMedia finds none while window.__noCamera.</summary>
    private const string NoCameraYet = """
        (() => {
          window.__noCamera = true;
          const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
          navigator.mediaDevices.getUserMedia = (constraints) => window.__noCamera && constraints.video
            ? Promise.reject(new DOMException('Requested device not found', 'NotFoundError'))
            : getUserMedia(constraints);
        })();
        """;

    [Fact]
    public async Task A_camera_plugged_in_during_the_call_is_seen_by_everyone_within_5_s()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = new CallPage(await Browser.PersonAsync("ann", output));
        await ann.JoinAsync(room, "Ann");
        var cleoPage = await Browser.PersonAsync("cleo", output);
        await cleoPage.Context.AddInitScriptAsync(NoCameraYet);
        var cleo = new CallPage(cleoPage);
        await cleo.OpenAsync(room);
        await Expect(cleoPage.Locator("#device-note")).ToContainTextAsync("No camera");
        await cleo.JoinFromPreJoinAsync("Cleo");
        var ben = new CallPage(await Browser.PersonAsync("ben", output));
        await ben.JoinAsync(room, "Ben");
        var cleoId = (await cleo.SelfIdAsync())!;

        // Without a camera Cleo is heard, shown with her camera off, and cannot start a video she does not have.
        await Expect(ann.Tile(cleoId)).ToHaveAttributeAsync("data-video-muted", "true");
        await Expect(cleo.Page.GetByRole(AriaRole.Button, new() { Name = "Start video" })).ToBeDisabledAsync();
        await ann.ExpectHearingAsync(peers: 2);
        await ben.ExpectHearingAsync(peers: 2);

        // She plugs a camera in.
        await cleoPage.EvaluateAsync("() => { window.__noCamera = false; navigator.mediaDevices.dispatchEvent(new Event('devicechange')); }");
        await ann.ExpectVideoPlayingAsync(cleoId, timeoutMs: 5000);
        await ben.ExpectVideoPlayingAsync(cleoId, timeoutMs: 5000);
        await Expect(ann.Tile(cleoId)).ToHaveAttributeAsync("data-video-muted", "false");
        await Expect(cleo.Button("Stop video")).ToBeEnabledAsync();
        await cleoPage.WaitForFunctionAsync("() => document.querySelector('[data-self-tile] video').videoWidth > 0");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben, cleo);
    }

    [Fact]
    public async Task Someone_announced_before_a_resume_s_answer_arrives_is_still_seen_and_heard_by_the_person_resuming()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = await TappedPersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var carl = await TappedPersonAsync("carl");
        await carl.JoinAsync(room, "Carl");
        await CallPage.ExpectEveryPairPlayingAsync(ann, carl);
        var annId = await ann.SelfIdAsync();

        // Ann's connection to the server drops and her page resumes; the answer to her resume is held on the way until
        // Ben has joined, so the announcement of Ben reaches her page first. The answer lists Carl only.
        await SignalTap.HoldNextJoinAnswerAsync(ann.Page);
        await SignalTap.DropConnectionAsync(ann.Page);
        await SignalTap.WaitForHeldAnswerAsync(ann.Page);
        var ben = await TappedPersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        await SignalTap.WaitForPassedWhileHeldAsync(ann.Page, "PeerJoined");
        await SignalTap.ReleaseAnswerAsync(ann.Page);

        await ann.ExpectStateAsync("in-call");
        Assert.Equal(annId, await ann.SelfIdAsync());
        await ann.ExpectPeerCountAsync(2);
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben, carl);
        await ann.ExpectHearingAsync(2);
    }
}
