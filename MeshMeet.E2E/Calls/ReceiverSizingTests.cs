using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Xunit.Abstractions;

namespace MeshMeet.E2E.Calls;

/// <summary>
/// Receiver-driven video: each receiver tells the sender, peer to peer, how big it shows the sender's camera, and the
/// sender encodes that pair no bigger, and not at all while it is not seen. Read from the sender's real outbound
/// statistics per pair.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReceiverSizingTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    /// <summary>([peerId]) => what this page sends its camera at to that peer: the encoded width, bytes and whether it
    /// is active (outbound statistics), and the encoding's parameters (what the page asked of the encoder).</summary>
    private const string CameraSentTo = """
        async ([id]) => {
          const shown = [...document.querySelectorAll('[data-peer-id]')].find(t => t.dataset.peerId === id)?.querySelector('video')?.srcObject?.getVideoTracks()[0];
          const pc = window.__peerConnections.find(p => p.connectionState === 'connected' && p.getReceivers().some(r => r.track === shown));
          const sender = pc?.getSenders().find(s => s.track?.kind === 'video' && !s.track.label.startsWith('screen'));
          if (!sender) return null;
          let out = null;
          const { scaleResolutionDownBy: scale, maxBitrate } = sender.getParameters().encodings[0];
          (await pc.getStats(sender.track)).forEach(s => { if (s.type === 'outbound-rtp') out = { width: s.frameWidth ?? 0, bytes: s.bytesSent, active: s.active, scale, maxBitrate }; });
          return out;
        }
        """;

    private sealed record Sent
    {
        public int Width { get; init; }
        public long Bytes { get; init; }
        public bool? Active { get; init; }
        public double Scale { get; init; }
        public int? MaxBitrate { get; init; }
    }

    private static async Task<Sent?> SentAsync(CallPage from, string to) =>
        await from.Page.EvaluateAsync<Sent?>(CameraSentTo, new[] { to });

    [Fact]
    public async Task A_receiver_that_shows_a_sender_small_gets_it_small_and_one_that_does_not_show_it_gets_no_video_bytes()
    {
        var people = await GuestsInCallAsync(output, "Ann", "Ben", "Cleo");
        var (ann, ben, cleo) = (people[0], people[1], people[2]);
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben, cleo);
        var (annId, benId, cleoId) = ((await ann.SelfIdAsync())!, (await ben.SelfIdAsync())!, (await cleo.SelfIdAsync())!);

        // Ben shows Ann in a 160x90 tile: within 3 s Ann sends Ben at most 320 wide, at the smallest step's 150 kbps; what Ann asks of
        // the encoder for Cleo does not change (its frames may still shrink on their own on a busy machine: the
        // encoder's CPU adaptation).
        var toCleoBefore = await SentAsync(ann, cleoId);
        await ben.StyleTileAsync(annId, "position: fixed; left: 0; bottom: 0; width: 160px; height: 90px;");
        await PageScripts.PollAsync(async () => await SentAsync(ann, benId) is { Width: > 0 and <= 320, MaxBitrate: 150_000 }, 3000,
            "Ann's camera to Ben at 320 wide or less", async () => $"to Ben {await SentAsync(ann, benId)}, to Cleo {await SentAsync(ann, cleoId)}");
        var (toBen, toCleo) = ((await SentAsync(ann, benId))!, (await SentAsync(ann, cleoId))!);
        Assert.True(toCleo.Scale == toCleoBefore!.Scale && toCleo.MaxBitrate == toCleoBefore.MaxBitrate, $"Ann's camera to Cleo changed too: {toCleoBefore} -> {toCleo}");
        Assert.True(toCleo.Scale < toBen.Scale, $"to Cleo {toCleo}, to Ben {toBen}");

        // Ben scrolls Ann's tile out of view: within 3 s Ann sends Ben no video at all, while Ben still hears Ann.
        await ben.StyleTileAsync(annId, "position: fixed; left: 0; top: -2000px; width: 160px; height: 90px;");
        await PageScripts.PollAsync(async () => (await SentAsync(ann, benId))?.Active == false, 3000,
            "Ann's camera to Ben stopped", async () => $"to Ben {await SentAsync(ann, benId)}");
        var stopped = await SentAsync(ann, benId);
        await Task.Delay(1500);
        Assert.Equal(stopped!.Bytes, (await SentAsync(ann, benId))!.Bytes);
        Assert.True(await ben.Page.EvaluateAsync<bool>(PageScripts.Hearing, 2), "Ben no longer hears both others");

        // Back in view: video again within 2 s.
        await ben.StyleTileAsync(annId, "");
        await ExpectVideoBackAsync(ben, annId);

        // Cleo's tab goes to the background: within 3 s nobody sends Cleo video, and Cleo still hears both; back, video again.
        await SetPageVisibleAsync(cleo, false);
        foreach (var sender in new[] { ann, ben })
            await PageScripts.PollAsync(async () => (await SentAsync(sender, cleoId))?.Active == false, 3000,
                "camera to Cleo stopped while her tab is hidden", async () => $"{await SentAsync(sender, cleoId)}");
        Assert.True(await cleo.Page.EvaluateAsync<bool>(PageScripts.Hearing, 2), "Cleo no longer hears both others");
        await SetPageVisibleAsync(cleo, true);
        await ExpectVideoBackAsync(cleo, annId);
        await ExpectVideoBackAsync(cleo, benId);
    }

    [Fact]
    public async Task A_page_that_reports_nothing_gets_the_room_size_plan_after_5_s_and_video_plays_both_ways()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = new CallPage(await Browser.PersonAsync("ann", output));
        await ann.JoinAsync(room, "Ann");
        // Ben's page is an older one: it makes no control channel, so it never says what it shows.
        var benPage = await Browser.PersonAsync("ben", output);
        await benPage.Context.AddInitScriptAsync(
            "RTCPeerConnection.prototype.createDataChannel = function () { return { readyState: 'connecting', send() {}, close() {} }; };");
        var ben = new CallPage(benPage);
        await ben.JoinAsync(room, "Ben");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);
        var benId = (await ben.SelfIdAsync())!;

        // Until then Ann sends Ben the smallest step; 5 s after the pair began, the room-size plan: one upload, 720p at
        // 1.5 Mbps.
        await PageScripts.PollAsync(async () => await SentAsync(ann, benId) is { Scale: 1, MaxBitrate: 1_500_000 }, 8000,
            "Ann's camera to Ben on the room-size plan", async () => $"{await SentAsync(ann, benId)}");
        await ben.ExpectVideoPlayingAsync((await ann.SelfIdAsync())!);
        await ann.ExpectVideoPlayingAsync(benId);
    }

    private static Task SetPageVisibleAsync(CallPage person, bool visible) => person.Page.EvaluateAsync(PageScripts.SetVisibility, visible);

    private static Task ExpectVideoBackAsync(CallPage viewer, string senderId) =>
        PageScripts.PollAsync(async () => await viewer.Page.EvaluateAsync<bool>(PageScripts.VideoPlaying, new[] { senderId }), 2000,
            "video back", () => viewer.Page.EvaluateAsync<string>(PageScripts.Describe));
}
