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
        await Page.GetByLabel("Your name").FillAsync(name);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        // A person waits for a join; a cold instance on a busy machine (its first hub connection and database
        // transaction) took over 5 s in a loaded run.
        await Assertions.Expect(CallRoot).ToHaveAttributeAsync("data-call-state", "in-call", new() { Timeout = 15_000 });
    }

    public Task<string?> SelfIdAsync() => CallRoot.GetAttributeAsync("data-self-id");

    public ILocator Tile(string peerId) => Page.Locator($"[data-peer-id='{peerId}']");

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

    /// <summary>Waits until the peer's video has decoded frames and keeps advancing: real media, not a black box.</summary>
    public async Task ExpectVideoPlayingAsync(string peerId, int timeoutMs = 20000)
    {
        try
        {
            await WaitForVideoAsync(peerId, timeoutMs);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Video of {peerId} not playing on {Page.Url} within {timeoutMs} ms. Page: {await DescribeAsync()}");
        }
    }

    /// <summary>What the page's call looks like, for failure messages.</summary>
    public Task<string> DescribeAsync() => Page.EvaluateAsync<string>("""
        () => JSON.stringify({
          state: document.getElementById('call')?.dataset.callState,
          self: document.getElementById('call')?.dataset.selfId,
          alert: document.getElementById('call-alert')?.textContent,
          tiles: [...document.querySelectorAll('[data-peer-id]')].map(t => {
            const v = t.querySelector('video');
            return { id: t.dataset.peerId, w: v.videoWidth, ready: v.readyState, paused: v.paused, tracks: v.srcObject?.getTracks().map(x => x.kind + ':' + x.readyState + ':' + x.muted) };
          }),
          pcs: window.__peerConnections.map(pc => [pc.connectionState, pc.signalingState, pc.iceConnectionState, pc.iceGatheringState].join('/')),
        })
        """);

    private async Task WaitForVideoAsync(string peerId, int timeoutMs)
    {
        // Frames decoded for exactly the track shown in this peer's tile must keep growing, and the element must play.
        await Page.WaitForFunctionAsync("""
            async ([id]) => {
              const v = [...document.querySelectorAll('[data-peer-id]')].find(t => t.dataset.peerId === id)?.querySelector('video');
              const track = v?.srcObject?.getVideoTracks()[0];
              if (!track || v.videoWidth === 0 || v.paused || v.readyState < 2) return false;
              // A closed connection keeps its receivers and still answers getStats: only a live one counts.
              const pc = window.__peerConnections.find(p => p.getReceivers().some(r => r.track === track));
              if (!pc || pc.connectionState !== 'connected') return false;
              let frames = 0;
              (await pc.getStats(track)).forEach(s => { if (s.type === 'inbound-rtp') frames = s.framesDecoded; });
              const previous = Number(v.dataset.e2eFrames ?? -1);
              v.dataset.e2eFrames = String(frames);
              return previous >= 0 && frames > previous + 3;
            }
            """, new object[] { new[] { peerId } }, new() { Timeout = timeoutMs, PollingInterval = 400 });
    }

    /// <summary>Audio packets received over all of this page's peer connections, from getStats().</summary>
    public Task<int[]> InboundAudioPacketsAsync() => Page.EvaluateAsync<int[]>("""
        async () => Promise.all(window.__peerConnections.filter(pc => pc.connectionState === 'connected').map(async pc => {
          let packets = 0;
          (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived; });
          return packets;
        }))
        """);

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
