using Microsoft.Playwright;

namespace MeshMeet.E2E.Support;

/// <summary>The call page as a person uses it, through the stable hooks of DESIGN.md.</summary>
public sealed class CallPage(IPage page)
{
    public const string Root = "#call";
    public const string RemoteTile = "[data-peer-id]";

    public IPage Page { get; } = page;
    public ILocator CallRoot => Page.Locator(Root);

    public Task OpenAsync(string roomId) => Page.GotoAsync($"/r/{roomId}");

    public async Task JoinAsync(string roomId, string name)
    {
        await OpenAsync(roomId);
        await JoinFromPreJoinAsync(name);
    }

    /// <summary>Joins from the pre-join screen of the open page (where a test set something up first).</summary>
    public async Task JoinFromPreJoinAsync(string name)
    {
        await ClickJoinAsync(name);
        // A person waits for a join; a cold instance on a busy machine (its first hub connection and database
        // transaction) took over 5 s in a loaded run.
        await Assertions.Expect(CallRoot).ToHaveAttributeAsync("data-call-state", "in-call", new() { Timeout = 15_000 });
    }

    /// <summary>Types the name and clicks Join, and does not wait for what follows.</summary>
    public async Task ClickJoinAsync(string name)
    {
        await Page.GetByLabel("Your name").FillAsync(name);
        await Button("Join").ClickAsync();
    }

    public Task<string?> SelfIdAsync() => CallRoot.GetAttributeAsync("data-self-id");

    public ILocator Tile(string peerId) => Page.Locator($"[data-peer-id='{peerId}']");

    /// <summary>Restyles a peer's tile on this page (CSS text; "" for the layout's own), as a layout change would.</summary>
    public Task StyleTileAsync(string peerId, string css) => Tile(peerId).EvaluateAsync("(tile, css) => { tile.style.cssText = css; }", css);

    public ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    public Task ExpectStateAsync(string state) => Assertions.Expect(CallRoot).ToHaveAttributeAsync("data-call-state", state);

    public Task ExpectPeerCountAsync(int count) => Assertions.Expect(Page.Locator(RemoteTile)).ToHaveCountAsync(count);

    /// <summary>Everyone sees everyone else, with video playing on every pair.</summary>
    public static async Task ExpectEveryPairPlayingAsync(params CallPage[] people)
    {
        var ids = new List<string>();
        foreach (var p in people) ids.Add((await p.SelfIdAsync())!);
        for (var i = 0; i < people.Length; i++)
        {
            await people[i].ExpectPeerCountAsync(people.Length - 1);
            for (var j = 0; j < people.Length; j++)
                if (i != j) await people[i].ExpectVideoPlayingAsync(ids[j]);
        }
    }

    /// <summary>The room code's status and words, as "status: words".</summary>
    public async Task<string> RoomCodeAsync()
    {
        var code = Page.Locator("[data-room-code]");
        return $"{await code.GetAttributeAsync("data-room-code-status")}: {await code.InnerTextAsync()}";
    }

    /// <summary>Waits until every page (each read by its RoomCodeAsync) shows the same verified words, and returns them.</summary>
    public static async Task<string> ExpectSameRoomCodeAsync(params Func<Task<string>>[] readers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(25);
        while (true)
        {
            var codes = new List<string>();
            foreach (var read in readers) codes.Add(await read());
            if (codes.All(c => c.StartsWith("verified: ", StringComparison.Ordinal) && c.Length > "verified: ".Length && c == codes[0]))
                return codes[0]["verified: ".Length..];
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The pages never showed one verified room code: {string.Join(" | ", codes)}");
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until the peer's video has decoded frames and keeps advancing: real media, not a black box.</summary>
    public Task ExpectVideoPlayingAsync(string peerId, int timeoutMs = 20000) =>
        WaitUntilAsync(PageScripts.VideoPlaying, new[] { peerId }, timeoutMs, $"video of {peerId}");

    /// <summary>Waits until the shared screen in that peer's tile decodes frames at the given size.</summary>
    public Task ExpectScreenAsync(string peerId, (int Width, int Height) size) =>
        WaitUntilAsync(PageScripts.ScreenDecoding, new object[] { peerId, size.Width, size.Height }, 20000, $"the screen of {peerId} at {size}");

    /// <summary>Waits until audio packets arrive on as many live connections as there are other people.</summary>
    public Task ExpectHearingAsync(int peers) => WaitUntilAsync(PageScripts.Hearing, peers, 20000, $"audio from {peers} people");

    /// <summary>Audio packets received over all of this page's peer connections, from getStats().</summary>
    public Task<int[]> InboundAudioPacketsAsync() => Page.EvaluateAsync<int[]>(PageScripts.AudioPacketsPerConnection);

    /// <summary>The size of the screen this page shares, as captured (what "full size" means on the other pages).</summary>
    public async Task<(int Width, int Height)> SharedScreenSizeAsync()
    {
        var size = await Page.EvaluateAsync<int[]>(PageScripts.SharedScreenSize);
        return (size[0], size[1]);
    }

    /// <summary>What the page's call looks like, for failure messages.</summary>
    public Task<string> DescribeAsync() => Page.EvaluateAsync<string>(PageScripts.Describe);

    private Task WaitUntilAsync(string asyncPredicate, object arg, int timeoutMs, string what) =>
        PageScripts.PollAsync(() => Page.EvaluateAsync<bool>(asyncPredicate, arg), timeoutMs, $"{what} on {Page.Url}", DescribeAsync);

    /// <summary>The bitrate caps (bit/s) this page has put on its video senders, one per live peer connection.</summary>
    public Task<int[]> VideoBitrateCapsAsync() => Page.EvaluateAsync<int[]>("""
        () => window.__peerConnections.filter(pc => pc.connectionState === 'connected').flatMap(pc =>
          pc.getSenders().filter(s => s.track?.kind === 'video').map(s => s.getParameters().encodings?.[0]?.maxBitrate ?? 0))
        """);

    /// <summary>Video bytes this page has sent, summed over its peer connections (for the bitrate benchmark).</summary>
    public Task<double> OutboundVideoBytesAsync() => Page.EvaluateAsync<double>("""
        async () => (await Promise.all(window.__peerConnections.filter(pc => pc.connectionState === 'connected').map(async pc => {
          let bytes = 0;
          (await pc.getStats()).forEach(s => { if (s.type === 'outbound-rtp' && s.kind === 'video') bytes += s.bytesSent; });
          return bytes;
        }))).reduce((a, b) => a + b, 0)
        """);
}
