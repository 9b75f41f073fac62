using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace MeshMeet.E2E.Support;

/// <summary>
/// A person in Debian's Firefox ESR with a fake camera and microphone, in a profile of their own, driven over WebDriver
/// BiDi: the W3C protocol Firefox speaks natively (Playwright cannot drive a stock Firefox, and PuppeteerSharp 25 needs a
/// WebDriverBiDi package the feed here does not serve). The few commands a call test needs are spoken directly: navigate,
/// a preload script, call a page function, console entries. Reads the call with the same page scripts as
/// <see cref="CallPage"/>.
/// </summary>
public sealed class FirefoxPerson : IAsyncDisposable
{
    /// <summary>Fake media granted without a prompt and host candidates on loopback (RECIPES.md: without
    /// <c>permission.fake</c> Firefox does not count fake devices as capturing and offers no host candidates); no
    /// first-run pages or background requests.</summary>
    private static readonly Dictionary<string, object> Preferences = new()
    {
        ["media.navigator.streams.fake"] = true,
        ["media.navigator.permission.disabled"] = true,
        ["media.navigator.permission.fake"] = true,
        ["permissions.default.camera"] = 1,
        ["permissions.default.microphone"] = 1,
        ["media.peerconnection.ice.loopback"] = true,
        ["media.peerconnection.ice.obfuscate_host_addresses"] = false,
        ["media.autoplay.default"] = 0,
        ["browser.shell.checkDefaultBrowser"] = false,
        ["browser.startup.homepage_override.mstone"] = "ignore",
        ["browser.aboutwelcome.enabled"] = false,
        ["datareporting.policy.dataSubmissionEnabled"] = false,
        ["toolkit.telemetry.reportingpolicy.firstRun"] = false,
        ["app.update.disabledForTesting"] = true,
        ["network.captive-portal-service.enabled"] = false,
        ["extensions.update.enabled"] = false,
    };

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly string _baseUrl;
    private readonly string _name;
    private readonly ITestOutputHelper _output;
    private int _nextId;
    private string _context = "";

    private FirefoxPerson(Process process, string profile, string baseUrl, string name, ITestOutputHelper output)
    {
        (_process, _profile, _baseUrl, _name, _output) = (process, profile, baseUrl, name, output);
    }

    public static async Task<FirefoxPerson> LaunchAsync(string baseUrl, string name, ITestOutputHelper output)
    {
        var profile = Directory.CreateTempSubdirectory("meshmeet-firefox-").FullName;
        await File.WriteAllLinesAsync(Path.Combine(profile, "user.js"),
            Preferences.Select(p => $"user_pref(\"{p.Key}\", {JsonSerializer.Serialize(p.Value)});"));
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("MESHMEET_FIREFOX") ?? "/usr/bin/firefox-esr")
        {
            ArgumentList = { "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port", "0", "about:blank" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start)!;
        var person = new FirefoxPerson(process, profile, baseUrl, name, output);
        var endpoint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            const string listening = "WebDriver BiDi listening on ";
            if (e.Data?.IndexOf(listening, StringComparison.Ordinal) is >= 0 and var at) endpoint.TrySetResult(e.Data[(at + listening.Length)..].Trim());
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await person._socket.ConnectAsync(new Uri($"{await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(30))}/session"), CancellationToken.None);
            _ = person.ReadAsync();
            await person.SendAsync("session.new", new { capabilities = new { } });
            await person.SendAsync("session.subscribe", new { events = new[] { "log.entryAdded" } });
            var tree = await person.SendAsync("browsingContext.getTree", new { });
            person._context = tree.GetProperty("contexts")[0].GetProperty("context").GetString()!;
            await person.SendAsync("script.addPreloadScript", new { functionDeclaration = $"() => {{ {PageScripts.RecordPeerConnections} }}" });
            return person;
        }
        catch
        {
            await person.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens the room's link, types the name and clicks Join, as a person would; waits until in the call.</summary>
    public async Task JoinAsync(string roomId, string name)
    {
        await SendAsync("browsingContext.navigate", new { context = _context, url = $"{_baseUrl}/r/{roomId}", wait = "complete" });
        await CallAsync<bool>("""
            (name) => {
              const box = document.getElementById('display-name');
              box.value = name;
              box.dispatchEvent(new Event('input', { bubbles: true }));
              return true;
            }
            """, name);
        await ClickAsync("Join");
        await PageScripts.PollAsync(async () => await CallAsync<string>("() => document.getElementById('call').dataset.callState") == "in-call",
            15_000, "the join", DescribeAsync);
    }

    /// <summary>Clicks the visible button whose text is exactly <paramref name="name"/> once it is enabled (as Playwright
    /// does: the page enables Join when its script handles it).</summary>
    public Task ClickAsync(string name) => PageScripts.PollAsync(() => CallAsync<bool>("""
        (name) => {
          const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === name && !b.closest('[hidden]'));
          if (!button || button.disabled) return false;
          button.click();
          return true;
        }
        """, name), 10_000, $"the {name} button", DescribeAsync);

    public Task<string> SelfIdAsync() => CallAsync<string>("() => document.getElementById('call').dataset.selfId");

    /// <summary>The room code's status and words, as "status: words".</summary>
    public Task<string> RoomCodeAsync() => CallAsync<string>(
        "() => { const c = document.querySelector('[data-room-code]'); return `${c.dataset.roomCodeStatus}: ${c.textContent}`; }");

    public Task ExpectTileAttributeAsync(string peerId, string attribute, string value) => PageScripts.PollAsync(
        async () => await CallAsync<string?>(
            "(id, name) => [...document.querySelectorAll('[data-peer-id]')].find(t => t.dataset.peerId === id)?.getAttribute(name) ?? null",
            peerId, attribute) == value,
        10_000, $"{attribute}={value} on the tile of {peerId}", DescribeAsync);

    public Task ExpectVideoPlayingAsync(string peerId, int timeoutMs = 20000) =>
        WaitUntilAsync(PageScripts.VideoPlaying, timeoutMs, $"video of {peerId}", new[] { peerId });

    public Task ExpectScreenAsync(string peerId, (int Width, int Height) size) =>
        WaitUntilAsync(PageScripts.ScreenDecoding, 20000, $"the screen of {peerId} at {size}", new object[] { peerId, size.Width, size.Height });

    public Task ExpectHearingAsync(int peers) => WaitUntilAsync(PageScripts.Hearing, 20000, $"audio from {peers} people", peers);

    public Task<string> DescribeAsync() => CallAsync<string>(PageScripts.Describe);

    /// <summary>Polls a page check that takes one argument (as the Playwright side passes it).</summary>
    private Task WaitUntilAsync(string asyncPredicate, int timeoutMs, string what, object argument) =>
        PageScripts.PollAsync(() => CallAsync<bool>(asyncPredicate, argument), timeoutMs, $"{what} in Firefox", DescribeAsync);

    /// <summary>Calls a page function with these arguments and awaits it. Arguments and result cross as JSON, so the
    /// page functions are the same ones Playwright evaluates.</summary>
    private async Task<T> CallAsync<T>(string function, params object?[] args)
    {
        var result = await SendAsync("script.callFunction", new
        {
            functionDeclaration = $"async (json) => JSON.stringify((await ({function})(...JSON.parse(json))) ?? null)",
            arguments = new[] { new { type = "string", value = JsonSerializer.Serialize(args) } },
            target = new { context = _context },
            awaitPromise = true,
        });
        if (result.GetProperty("type").GetString() == "exception")
            throw new InvalidOperationException($"Firefox page function failed: {result.GetProperty("exceptionDetails").GetProperty("text").GetString()}");
        return JsonSerializer.Deserialize<T>(result.GetProperty("result").GetProperty("value").GetString()!)!;
    }

    private async Task<JsonElement> SendAsync(string method, object parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        await _socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        return await answer.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var part = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (part.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage) continue;
                Dispatch(JsonDocument.Parse(message.ToArray()).RootElement);
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Firefox went away (the test is over, or it crashed: the pending commands fail below).
        }
        foreach (var pending in _pending.Values) pending.TrySetException(new InvalidOperationException("Firefox closed its WebDriver BiDi connection."));
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && _pending.TryRemove(id.GetInt32(), out var pending))
        {
            if (message.GetProperty("type").GetString() == "success") pending.TrySetResult(message.GetProperty("result").Clone());
            else pending.TrySetException(new InvalidOperationException($"WebDriver BiDi: {message.GetProperty("error")}: {message.GetProperty("message")}"));
        }
        else if (message.TryGetProperty("method", out var method) && method.GetString() == "log.entryAdded")
        {
            var entry = message.GetProperty("params");
            var level = entry.GetProperty("level").GetString();
            if (level is "error" or "warn") BrowserFixture.Log(_output, $"[{_name} console {level}] {entry.GetProperty("text")}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
        await _process.WaitForExitAsync();
        _socket.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { /* Firefox's last writes; the temp dir is cleaned later */ }
    }
}
