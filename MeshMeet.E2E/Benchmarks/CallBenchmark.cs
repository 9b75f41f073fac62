using System.Globalization;
using MeshMeet.E2E.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MeshMeet.E2E.Benchmarks;

/// <summary>
/// Not a test (scripts/test leaves it out): scripts/bench runs it and prints how long a person waits from clicking
/// Join until every other participant's video is decoding, for calls of 2, 3 and 6, and what each sender uploads at 6.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class CallBenchmark(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private const int Rounds = 3;

    [Fact]
    public async Task Join_to_all_remote_videos_playing_and_uplink_per_sender()
    {
        var lines = new List<string> { "MeshMeet call benchmark (Chromium fake devices, loopback, 2 cores)" };
        var medians = new Dictionary<int, double>();
        foreach (var size in (Environment.GetEnvironmentVariable("MESHMEET_BENCH_SIZES") ?? "2,3,6").Split(',').Select(int.Parse))
        {
            var samples = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                List<CallPage> people; double lastJoinMs;
            try { (people, lastJoinMs) = await CallOfAsync(size); }
            catch { foreach (var e in Browser.App.Logs.Errors) output.WriteLine($"SERVER {e.Category}: {e.Message} {e.Exception}"); throw; }
                samples.Add(lastJoinMs);
                if (size == 6 && round == Rounds - 1) lines.AddRange(await UplinkAsync(people));
                await Browser.CloseEveryoneAsync();
            }
            samples.Sort();
            medians[size] = samples[samples.Count / 2];
            lines.Add($"join -> all {size - 1} remote videos playing, {size} people: median {medians[size]:F0} ms " +
                      $"(runs: {string.Join(", ", samples.Select(s => s.ToString("F0", CultureInfo.InvariantCulture)))} ms)");
        }
        if (medians.TryGetValue(2, out var two))
            lines.Add("ratio to 2 people: " + string.Join("; ", medians.Where(m => m.Key != 2).Select(m => $"{m.Key} people {m.Value / two:F2}x")));
        foreach (var line in lines) output.WriteLine(line);
        var results = Path.Combine(Environment.GetEnvironmentVariable("MESHMEET_RESULTS") ?? ".", "bench.txt");
        await File.WriteAllLinesAsync(results, lines);
    }

    /// <summary>People join one after another; returns them and the last joiner's click-to-video time.</summary>
    private async Task<(List<CallPage> People, double LastJoinMs)> CallOfAsync(int size)
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App, $"Bench {size}");
        var people = new List<CallPage>();
        double last = 0;
        for (var i = 0; i < size; i++)
        {
            var person = new CallPage(await Browser.PersonAsync($"p{i}", output));
            // The host comes first: guests alone may take only capacity - 1 seats.
            if (i == 0) await People.SignInAsync(person.Page, email);
            await person.OpenAsync(room);
            await person.Page.GetByLabel("Your name").FillAsync($"Person {i + 1}");
            await person.Page.WaitForFunctionAsync("() => document.getElementById('preview').srcObject?.getTracks().length === 2");
            await person.Page.EvaluateAsync("() => { window.__joinClicked = performance.now(); }");
            await person.Button("Join").ClickAsync();
            last = await person.Page.EvaluateAsync<double>("""
                async (expected) => {
                  const decoding = async () => {
                    const tiles = [...document.querySelectorAll('[data-peer-id] video:not([data-screen])')];
                    if (tiles.length !== expected) return false;
                    for (const v of tiles) {
                      const track = v.srcObject?.getVideoTracks()[0];
                      const pc = track && window.__peerConnections.find(p => p.getReceivers().some(r => r.track === track));
                      if (!pc || v.videoWidth === 0) return false;
                      let frames = 0;
                      (await pc.getStats(track)).forEach(s => { if (s.type === 'inbound-rtp') frames = s.framesDecoded; });
                      if (frames === 0) return false;
                    }
                    return true;
                  };
                  const deadline = performance.now() + 60000;
                  while (!(await decoding())) {
                    if (performance.now() > deadline) {
                      const tiles = [...document.querySelectorAll('[data-peer-id]')].map(t => `${t.dataset.peerId.slice(0, 6)}:${t.querySelector('.conn')?.textContent}:${t.querySelector('video').videoWidth}`);
                      const pcs = window.__peerConnections.map(pc => `${pc.connectionState}/${pc.signalingState}`);
                      throw new Error(`no video from all ${expected} peers within 60 s; tiles ${tiles.join(' ')}; connections ${pcs.join(' ')}`);
                    }
                    await new Promise(r => setTimeout(r, 20));
                  }
                  return performance.now() - window.__joinClicked;
                }
                """, i);
            people.Add(person);
        }
        return (people, last);
    }

    /// <summary>Video bytes each sender puts on the wire over 10 s, against the configured uplink budget.</summary>
    private static async Task<IEnumerable<string>> UplinkAsync(List<CallPage> people)
    {
        await Task.Delay(8000); // let bandwidth estimation ramp up to the caps
        var before = await Task.WhenAll(people.Select(p => p.OutboundVideoBytesAsync()));
        var started = DateTime.UtcNow;
        await Task.Delay(10000);
        var after = await Task.WhenAll(people.Select(p => p.OutboundVideoBytesAsync()));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var kbps = after.Zip(before, (a, b) => (a - b) * 8 / 1000 / seconds).ToList();
        return kbps.Select((k, i) => $"uplink at 6 people, sender {i + 1}: {k:F0} kbps video to 5 peers ({k / 5:F0} per peer), {k / 2500:P0} of the 2500 kbps budget")
            .Append($"uplink at 6 people, mean per sender: {kbps.Average():F0} kbps");
    }
}
