namespace MeshMeet.E2E.Support;

/// <summary>
/// What the browser tests read inside a call page, as page functions any driver can evaluate (Playwright for Chromium,
/// PuppeteerSharp for Firefox): real WebRTC statistics, never anything the app exposes for tests.
/// </summary>
public static class PageScripts
{
    /// <summary>(visible) => tells the page it is shown or hidden, as the browser does when its tab goes to the
    /// background or its window is minimised (headless Chromium keeps every page visible, whatever is in front).</summary>
    public const string SetVisibility = """
        visible => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visible ? 'visible' : 'hidden' });
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => !visible });
          document.dispatchEvent(new Event('visibilitychange'));
        }
        """;

    /// <summary>An init script: records every RTCPeerConnection the page creates, for the statistics below.</summary>
    public const string RecordPeerConnections = """
        (() => {
          const Original = window.RTCPeerConnection;
          window.__peerConnections = [];
          window.RTCPeerConnection = function (...args) {
            const pc = new Original(...args);
            window.__peerConnections.push(pc);
            return pc;
          };
          window.RTCPeerConnection.prototype = Original.prototype;
          window.RTCPeerConnection.generateCertificate = Original.generateCertificate; // the page makes its certificate
        })();
        """;

    /// <summary>([peerId]) => true once frames decoded for exactly the track in that peer's tile have grown by more
    /// than 3 since the previous call, on a live connection, with the element playing. Call it repeatedly.</summary>
    public const string VideoPlaying = """
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
        """;

    /// <summary>([peerId, width, height]) => true once the shared screen in that peer's tile shows at that size and its
    /// decoded frames grew since the previous call.</summary>
    public const string ScreenDecoding = """
        async ([id, width, height]) => {
          const v = [...document.querySelectorAll('[data-peer-id]')].find(t => t.dataset.peerId === id)?.querySelector('video[data-screen]');
          if (!v || v.hidden || v.videoWidth !== width || v.videoHeight !== height || v.paused) return false;
          const track = v.srcObject?.getVideoTracks()[0];
          const pc = window.__peerConnections.find(p => p.getReceivers().some(r => r.track === track));
          let frames = 0;
          (await pc.getStats(track)).forEach(s => { if (s.type === 'inbound-rtp') frames = s.framesDecoded; });
          const previous = Number(v.dataset.e2eFrames ?? -1);
          v.dataset.e2eFrames = String(frames);
          return previous >= 0 && frames > previous;
        }
        """;

    /// <summary>() => the audio packets received so far on each of the page's live connections.</summary>
    public const string AudioPacketsPerConnection = """
        async () => Promise.all(window.__peerConnections.filter(pc => pc.connectionState === 'connected').map(async pc => {
          let packets = 0;
          (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived; });
          return packets;
        }))
        """;

    /// <summary>(peers) => true once audio arrives on at least that many live connections.</summary>
    public const string Hearing = $"async (peers) => (await ({AudioPacketsPerConnection})()).filter(p => p > 0).length >= peers";

    /// <summary>An init script: every getUserMedia of the page answers only after 4 s, as a slow camera or a permission
    /// prompt that takes a while would.</summary>
    public const string SlowCamera = """
        (() => {
          const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
          navigator.mediaDevices.getUserMedia = (constraints) =>
            new Promise((resolve, reject) => setTimeout(() => getUserMedia(constraints).then(resolve, reject), 4000));
        })();
        """;

    /// <summary>(peerId) => the loudest sample (0..1) this page plays of that peer's microphone over 2.5 s: what comes out of
    /// the peer's tile, after whatever the page does to it (Chromium's fake microphone beeps, so a live one is well
    /// above 0.01; a track the page disabled renders silence).</summary>
    public const string PlayedPeak = """
        async (peerId) => {
          const video = document.querySelector(`[data-peer-id='${peerId}'] video:not([data-screen])`);
          const audio = new AudioContext();
          const analyser = new AnalyserNode(audio, { fftSize: 2048 });
          audio.createMediaStreamSource(video.srcObject).connect(analyser);
          const samples = new Float32Array(analyser.fftSize);
          let peak = 0;
          for (const end = performance.now() + 2500; performance.now() < end; await new Promise(r => setTimeout(r, 40))) {
            analyser.getFloatTimeDomainData(samples);
            for (const v of samples) peak = Math.max(peak, Math.abs(v));
          }
          await audio.close();
          return peak;
        }
        """;

    /// <summary>() => turns this page's own microphone and camera back on under the page's feet, as a modified client
    /// that ignores a host's mute would: every sender's track enabled again.</summary>
    public const string IgnoreHostMute = """
        () => window.__peerConnections.flatMap(pc => pc.getSenders()).forEach(s => { if (s.track) s.track.enabled = true; })
        """;

    /// <summary>() => audio packets this page has sent on its live connections.</summary>
    public const string AudioPacketsSent = """
        async () => (await Promise.all(window.__peerConnections.filter(pc => pc.connectionState === 'connected').map(async pc => {
          let sent = 0;
          (await pc.getStats()).forEach(s => { if (s.type === 'outbound-rtp' && s.kind === 'audio') sent += s.packetsSent; });
          return sent;
        }))).reduce((a, b) => a + b, 0)
        """;

    /// <summary>() => [width, height] of the frames of the screen this page shares, as captured: played in a video of
    /// its own (Chromium's fake screen reports the window's size in getSettings() but delivers 16:9 frames).</summary>
    public const string SharedScreenSize = """
        async () => {
          const track = window.__peerConnections.flatMap(pc => pc.getSenders()).map(s => s.track).find(t => t?.label.startsWith('screen'));
          const video = Object.assign(document.createElement('video'), { muted: true, srcObject: new MediaStream([track]) });
          await video.play();
          await new Promise(frame => video.requestVideoFrameCallback(frame));
          const size = [video.videoWidth, video.videoHeight];
          video.srcObject = null;
          return size;
        }
        """;

    /// <summary>() => the call as JSON (state, tiles, connections), for failure messages.</summary>
    public const string Describe = """
        () => JSON.stringify({
          state: document.getElementById('call')?.dataset.callState,
          self: document.getElementById('call')?.dataset.selfId,
          alert: document.getElementById('call-alert')?.textContent,
          tiles: [...document.querySelectorAll('[data-peer-id]')].map(t => {
            const v = t.querySelector('video');
            const s = t.querySelector('video[data-screen]');
            return { id: t.dataset.peerId, w: v.videoWidth, ready: v.readyState, paused: v.paused, tracks: v.srcObject?.getTracks().map(x => x.kind + ':' + x.readyState + ':' + x.muted),
              screen: s && { hidden: s.hidden, w: s.videoWidth, h: s.videoHeight, paused: s.paused, ready: s.readyState } };
          }),
          pcs: window.__peerConnections.map(pc => [pc.connectionState, pc.signalingState, pc.iceConnectionState, pc.iceGatheringState].join('/')),
        })
        """;

    /// <summary>
    /// Evaluates a page check until it answers true. Playwright's WaitForFunctionAsync does not await a predicate that
    /// returns a promise (the promise itself is truthy, so a check reading getStats() passed at once, whatever the call
    /// did), and Puppeteer's is blocked by the page's Content-Security-Policy: both drivers' plain evaluate await it.
    /// </summary>
    public static async Task PollAsync(Func<Task<bool>> check, int timeoutMs, string what, Func<Task<string>> describe)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await check())
        {
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"Waited {timeoutMs} ms for {what}. Page: {await describe()}");
            await Task.Delay(400);
        }
    }
}
