using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MeshMeet.E2E.Support;

/// <summary>One app and one Chromium for the browser tests; every person gets a context of their own.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public MeshMeetApp App { get; } = new();
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;
    private readonly List<IBrowserContext> _people = [];

    /// <summary>Chromium as every browser test and benchmark runs it: fake camera and microphone without a prompt,
    /// WebRTC on loopback, nothing fetched from outside.</summary>
    public static readonly string[] ChromiumArgs =
    [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--allow-loopback-in-peer-connection",
        "--disable-gpu", "--disable-quic", "--autoplay-policy=no-user-gesture-required",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
    }

    /// <summary>Debian's Chromium as the tests run it, with <see cref="ChromiumArgs"/> and any more.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright, params string[] moreArgs) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MESHMEET_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = [.. ChromiumArgs, .. moreArgs],
        });

    /// <summary>A person with their own browser profile, camera and microphone, whose console reaches the test output.</summary>
    /// <param name="baseUrl">Another app than the shared one (a test's own app process).</param>
    /// <param name="browser">Another Chromium than the shared one (one with other fake devices).</param>
    public async Task<IPage> PersonAsync(string name, ITestOutputHelper output, string? baseUrl = null, IBrowser? browser = null)
    {
        var context = await (browser ?? Browser).NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl ?? App.BaseUrl,
            Permissions = ["camera", "microphone"],
            ViewportSize = new ViewportSize { Width = 1000, Height = 700 },
            // The nginx of the cluster tests serves a certificate made for the test, as a user trusting it would.
            IgnoreHTTPSErrors = true,
        });
        _people.Add(context);
        await context.AddInitScriptAsync(PageScripts.RecordPeerConnections);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") Log(output, $"[{name} console {message.Type}] {message.Text}");
        };
        page.PageError += (_, error) => Log(output, $"[{name} page error] {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) Log(output, $"[{name}] {response.Status} {response.Request.Method} {response.Url}");
        };
        return page;
    }

    /// <summary>Everyone leaves: closes every context, so no call of one test keeps using the CPU in the next.</summary>
    public async Task CloseEveryoneAsync()
    {
        foreach (var context in _people) await context.CloseAsync();
        _people.Clear();
    }

    /// <summary>Writes to a test's output, unless the test has already ended (late browser or app messages).</summary>
    public static void Log(ITestOutputHelper output, string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test already ended */ }
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
