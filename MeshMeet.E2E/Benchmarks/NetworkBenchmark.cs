using System.Globalization;
using System.Text;
using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MeshMeet.E2E.Benchmarks;

/// <summary>
/// Not a test: `scripts/bench network` runs it in a namespace of its own, where each person's Chromium lives in a
/// network namespace with its uplink shaped by tc (see scripts/bench), and prints what each receiver decodes from each
/// sender, the freezes, the bytes and each browser's CPU seconds, for three layouts, against the tree before a change
/// too when it is given (BENCH_BEFORE_WEB).
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class NetworkBenchmark(ITestOutputHelper output)
{
    private static readonly string[] Layouts = Environment.GetEnvironmentVariable("BENCH_LAYOUTS") is { Length: > 0 } only
        ? only.Split(',') : ["grid", "speaker", "hidden tab"];
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15), Window = TimeSpan.FromSeconds(30);
    private const string AppAddress = "10.77.0.1";
    /// <summary>The fake cameras' frame rate (BENCH_CAMERA_FPS).</summary>
    private static readonly int CameraFps = int.Parse(Environment.GetEnvironmentVariable("BENCH_CAMERA_FPS") ?? "30", CultureInfo.InvariantCulture);

    /// <summary>What one page has received from, and sent to, each peer so far (video only).</summary>
    private sealed record PairStats
    {
        public string Peer { get; init; } = "";
        public double InBytes { get; init; }
        public double Frames { get; init; }
        public double Freezes { get; init; }
        public double FreezeSeconds { get; init; }
        public int Width { get; init; }
        public int Height { get; init; }
        public double OutBytes { get; init; }
        public double EncodeSeconds { get; init; }
        public double DecodeSeconds { get; init; }
    }

    private const string ReadPairs = """
        async () => {
          const rows = [];
          for (const tile of document.querySelectorAll('[data-peer-id]:not([data-self-tile])')) {
            const track = tile.querySelector('video:not([data-screen])')?.srcObject?.getVideoTracks()[0];
            const pc = track && window.__peerConnections.find(p => p.connectionState !== 'closed' && p.getReceivers().some(r => r.track === track));
            if (!pc) continue;
            const row = { peer: tile.dataset.peerId, inBytes: 0, frames: 0, freezes: 0, freezeSeconds: 0, width: 0, height: 0, outBytes: 0,
              encodeSeconds: 0, decodeSeconds: 0 };
            (await pc.getStats()).forEach(s => {
              if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier === track.id) {
                Object.assign(row, { inBytes: s.bytesReceived ?? 0, frames: s.framesDecoded ?? 0, freezes: s.freezeCount ?? 0,
                  freezeSeconds: s.totalFreezesDuration ?? 0, width: s.frameWidth ?? 0, height: s.frameHeight ?? 0, decodeSeconds: s.totalDecodeTime ?? 0 });
              }
              if (s.type === 'outbound-rtp' && s.kind === 'video') {
                row.outBytes += s.bytesSent ?? 0;
                row.encodeSeconds += s.totalEncodeTime ?? 0;
              }
            });
            rows.push(row);
          }
          return rows;
        }
        """;

    private sealed record Person(string Name, int Number, CallPage Call, string Id);

    /// <summary>One layout's figures for one tree: per receiver and sender, over the measured window.</summary>
    private sealed record Measured(string Tree, string Layout, List<Row> Rows, Dictionary<string, double> CpuSeconds, double Seconds);

    private sealed record Row(string Receiver, string Sender, double Kbps, double Fps, double Freezes, double FreezeSeconds, int Width, int Height,
        double SentKbps, double EncodeSeconds, double DecodeSeconds);

    [Fact]
    public async Task Four_people_on_shaped_uplinks_in_grid_speaker_and_hidden_tab_layouts()
    {
        var wrappers = Environment.GetEnvironmentVariable("BENCH_CHROMIUM_WRAPPERS")
            ?? throw new InvalidOperationException("Run this through scripts/bench network: it needs the network namespaces it makes.");
        var count = int.Parse(Environment.GetEnvironmentVariable("BENCH_PEOPLE") ?? "4", CultureInfo.InvariantCulture);
        var trees = new List<(string Name, string Web)>();
        if (Environment.GetEnvironmentVariable("BENCH_BEFORE_WEB") is { Length: > 0 } before)
            trees.Add(($"before ({Environment.GetEnvironmentVariable("BENCH_BEFORE_NAME")})", before));
        trees.Add(("this tree", Environment.GetEnvironmentVariable("BENCH_THIS_WEB") ?? Path.Combine(ServerProcess.RepoRoot(), "MeshMeet.Web")));

        using var playwright = await Playwright.CreateAsync();
        var results = new List<Measured>();
        foreach (var (tree, web) in trees)
        {
            await using var app = await AppProcess.StartAsync(line => BrowserFixture.Log(output, line), web: web, listen: "0.0.0.0");
            var baseUrl = $"http://{AppAddress}:{app.Port}";
            var browsers = new List<IBrowser>();
            for (var n = 1; n <= count; n++)
            {
                browsers.Add(await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = Path.Combine(wrappers, $"p{n}"),
                    Headless = true,
                    Args =
                    [
                        .. BrowserFixture.ChromiumArgs.Where(a => a != "--use-fake-device-for-media-stream"),
                        $"--use-fake-device-for-media-stream=fps={CameraFps}", $"--unsafely-treat-insecure-origin-as-secure={baseUrl}",
                    ],
                }));
            }
            foreach (var layout in Layouts)
            {
                output.WriteLine($"{DateTime.Now:HH:mm:ss} {tree}: {layout}");
                results.Add(await MeasureAsync(tree, layout, app, baseUrl, browsers));
            }
            foreach (var browser in browsers) await browser.DisposeAsync();
        }
        var table = Table(results, trees.Select(t => t.Name).ToList());
        output.WriteLine(table);
        var dir = Environment.GetEnvironmentVariable("BENCH_RESULTS") ?? ".";
        await File.WriteAllTextAsync(Path.Combine(dir, "table.md"), table);
    }

    private async Task<Measured> MeasureAsync(string tree, string layout, AppProcess app, string baseUrl, List<IBrowser> browsers)
    {
        var room = await app.CreateRoomAsync($"Network {layout}");
        var people = new List<Person>();
        var contexts = new List<IBrowserContext>();
        for (var i = 0; i < browsers.Count; i++)
        {
            var context = await browsers[i].NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = baseUrl,
                Permissions = ["camera", "microphone"],
                ViewportSize = new ViewportSize { Width = 1280, Height = 720 },
            });
            contexts.Add(context);
            await context.AddInitScriptAsync(PageScripts.RecordPeerConnections);
            var call = new CallPage(await context.NewPageAsync());
            var name = $"p{i + 1}";
            await call.JoinAsync(room, name);
            people.Add(new Person(name, i + 1, call, (await call.SelfIdAsync())!));
        }
        await CallPage.ExpectEveryPairPlayingAsync(people.Select(p => p.Call).ToArray());
        await ApplyLayoutAsync(layout, people);
        await Task.Delay(WarmUp);

        var first = await SnapshotAsync(people);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(Window);
        var last = await SnapshotAsync(people);
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var context in contexts) await context.CloseAsync();

        var names = people.ToDictionary(p => p.Id, p => p.Name);
        var rows = new List<Row>();
        foreach (var receiver in people)
        {
            foreach (var after in last.Pairs[receiver.Name])
            {
                var before = first.Pairs[receiver.Name].FirstOrDefault(b => b.Peer == after.Peer) ?? new PairStats();
                // What the receiver got from that sender, and what the sender put on the wire for that receiver.
                var sent = last.Pairs[names[after.Peer]].FirstOrDefault(p => p.Peer == receiver.Id);
                var sentBefore = first.Pairs[names[after.Peer]].FirstOrDefault(p => p.Peer == receiver.Id);
                rows.Add(new Row(receiver.Name, names[after.Peer],
                    Kbps: (after.InBytes - before.InBytes) * 8 / 1000 / seconds,
                    Fps: (after.Frames - before.Frames) / seconds,
                    Freezes: after.Freezes - before.Freezes,
                    FreezeSeconds: after.FreezeSeconds - before.FreezeSeconds,
                    after.Width, after.Height,
                    SentKbps: ((sent?.OutBytes ?? 0) - (sentBefore?.OutBytes ?? 0)) * 8 / 1000 / seconds,
                    EncodeSeconds: (sent?.EncodeSeconds ?? 0) - (sentBefore?.EncodeSeconds ?? 0),
                    DecodeSeconds: after.DecodeSeconds - before.DecodeSeconds));
            }
        }
        var cpu = people.ToDictionary(p => p.Name, p => last.Cpu[p.Name] - first.Cpu[p.Name]);
        return new Measured(tree, layout, rows, cpu, seconds);
    }

    /// <summary>grid: the page's own layout; speaker: p1 fills every other page, the rest are 160x90 thumbnails (on
    /// p1's page too); hidden tab: the grid, with the last person's page in the background.</summary>
    private static async Task ApplyLayoutAsync(string layout, List<Person> people)
    {
        if (layout == "speaker")
        {
            foreach (var viewer in people)
            {
                var slot = 0;
                foreach (var shown in people.Where(p => p != viewer))
                {
                    var css = shown.Number == 1
                        ? "position: fixed; left: 0; top: 0; width: 1280px; height: 720px; z-index: 1;"
                        : $"position: fixed; left: {8 + 170 * slot++}px; bottom: 8px; width: 160px; height: 90px; z-index: 2;";
                    await viewer.Call.StyleTileAsync(shown.Id, css);
                }
            }
        }
        if (layout == "hidden tab") await people[^1].Call.Page.EvaluateAsync(PageScripts.SetVisibility, false);
    }

    private sealed record Snapshot(Dictionary<string, PairStats[]> Pairs, Dictionary<string, double> Cpu);

    private static async Task<Snapshot> SnapshotAsync(List<Person> people)
    {
        var pairs = await Task.WhenAll(people.Select(p => p.Call.Page.EvaluateAsync<PairStats[]>(ReadPairs)));
        var cpu = new Dictionary<string, double>();
        foreach (var person in people) cpu[person.Name] = await CpuSecondsAsync($"mm-p{person.Number}");
        return new Snapshot(people.Select((p, i) => (p.Name, pairs[i])).ToDictionary(x => x.Name, x => x.Item2), cpu);
    }

    /// <summary>User and system CPU seconds of every process in a network namespace so far (one person's browser).</summary>
    private static async Task<double> CpuSecondsAsync(string netns)
    {
        using var ip = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip", ["netns", "pids", netns]) { RedirectStandardOutput = true })!;
        var list = await ip.StandardOutput.ReadToEndAsync();
        await ip.WaitForExitAsync();
        var ticks = 0L;
        foreach (var pid in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string stat;
            try { stat = await File.ReadAllTextAsync($"/proc/{pid}/stat"); }
            catch (IOException) { continue; } // ended meanwhile
            // Fields after the command name (which may hold spaces): state is the 3rd field, utime and stime the 14th and 15th.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        return ticks / 100.0; // USER_HZ
    }

    private static string Table(List<Measured> results, List<string> trees)
    {
        var text = new StringBuilder();
        var uplink = Environment.GetEnvironmentVariable("BENCH_UPLINK_KBIT") ?? "1500";
        text.AppendLine(CultureInfo.InvariantCulture, $"# Network benchmark: {results.Select(r => r.CpuSeconds.Count).FirstOrDefault()} people, {uplink} kbit/s uplinks (tc tbf), 1280x720 windows, cameras at {CameraFps} fps, {Environment.ProcessorCount} cores");
        text.AppendLine();
        foreach (var layout in Layouts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## {layout}");
            text.AppendLine();
            text.AppendLine("| tree | receiver <- sender | decoded | fps | freezes | frozen s | received kbps | sent kbps |");
            text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var m in results.Where(r => r.Layout == layout))
                foreach (var row in m.Rows)
                    text.AppendLine(CultureInfo.InvariantCulture,
                        $"| {m.Tree} | {row.Receiver} <- {row.Sender} | {row.Width}x{row.Height} | {row.Fps:F1} | {row.Freezes:F0} | {row.FreezeSeconds:F1} | {row.Kbps:F0} | {row.SentKbps:F0} |");
            text.AppendLine();
            text.AppendLine("| tree | person | CPU s (browser) | encoding s | decoding s | frozen s received | video kbps received | video kbps sent |");
            text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var m in results.Where(r => r.Layout == layout))
                foreach (var (person, cpu) in m.CpuSeconds)
                    text.AppendLine(CultureInfo.InvariantCulture,
                        $"| {m.Tree} | {person} | {cpu:F1} | {m.Rows.Where(r => r.Sender == person).Sum(r => r.EncodeSeconds):F1} | " +
                        $"{m.Rows.Where(r => r.Receiver == person).Sum(r => r.DecodeSeconds):F1} | {m.Rows.Where(r => r.Receiver == person).Sum(r => r.FreezeSeconds):F1} | " +
                        $"{m.Rows.Where(r => r.Receiver == person).Sum(r => r.Kbps):F0} | {m.Rows.Where(r => r.Sender == person).Sum(r => r.SentKbps):F0} |");
            text.AppendLine();
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"Each layout: {WarmUp.TotalSeconds:F0} s to settle, then {Window.TotalSeconds:F0} s measured.");
        if (trees.Count == 2)
        {
            Measured Of(string tree, string layout) => results.Single(r => r.Tree == tree && r.Layout == layout);
            var (before, after) = (trees[0], trees[1]);
            double FrozenPerReceiver(Measured m) => m.Rows.GroupBy(r => r.Receiver).Average(g => g.Sum(r => r.FreezeSeconds));
            double SendersCpu(Measured m) => m.CpuSeconds.Where(c => c.Key != "p1").Sum(c => c.Value);
            double SendersEncoding(Measured m) => m.Rows.Where(r => r.Sender != "p1").Sum(r => r.EncodeSeconds);
            double HiddenKbps(Measured m) => m.Rows.Where(r => r.Receiver == m.CpuSeconds.Keys.Last()).Sum(r => r.Kbps);
            text.AppendLine();
            text.AppendLine("| criterion | before | this tree | ratio |");
            text.AppendLine("| --- | ---: | ---: | ---: |");
            var grid = (FrozenPerReceiver(Of(before, "grid")), FrozenPerReceiver(Of(after, "grid")));
            text.AppendLine(CultureInfo.InvariantCulture, $"| grid: frozen s per receiver (mean) | {grid.Item1:F1} | {grid.Item2:F1} | {Ratio(grid.Item2, grid.Item1)} |");
            var speaker = (SendersCpu(Of(before, "speaker")), SendersCpu(Of(after, "speaker")));
            text.AppendLine(CultureInfo.InvariantCulture, $"| speaker: CPU s of the thumbnail senders' browsers (p2..) | {speaker.Item1:F1} | {speaker.Item2:F1} | {Ratio(speaker.Item2, speaker.Item1)} |");
            var encoding = (SendersEncoding(Of(before, "speaker")), SendersEncoding(Of(after, "speaker")));
            text.AppendLine(CultureInfo.InvariantCulture, $"| speaker: their encoders' s (totalEncodeTime) | {encoding.Item1:F1} | {encoding.Item2:F1} | {Ratio(encoding.Item2, encoding.Item1)} |");
            var hidden = (HiddenKbps(Of(before, "hidden tab")), HiddenKbps(Of(after, "hidden tab")));
            text.AppendLine(CultureInfo.InvariantCulture, $"| hidden tab: video kbps the hidden receiver gets, all senders | {hidden.Item1:F0} | {hidden.Item2:F0} | {Ratio(hidden.Item2, hidden.Item1)} |");
        }
        return text.ToString();
    }

    private static string Ratio(double after, double before) => before > 0 ? (after / before).ToString("F2", CultureInfo.InvariantCulture) : "-";
}
