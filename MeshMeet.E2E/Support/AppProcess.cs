using System.Diagnostics;
using System.Net.Http.Json;
using MeshMeet.Tests.Support;

namespace MeshMeet.E2E.Support;

/// <summary>
/// MeshMeet as its own process (the build's MeshMeet.Web.dll, as scripts/run starts it), on a fixed port and its own
/// database, so a test can kill it with SIGKILL and start it again where the browsers expect it.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly string _signingKey;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Action<string> _log;
    private ServerProcess? _server;

    public const string AdminEmail = "admin@crash.test";
    public const string AdminPassword = "Crash-Pa55word!";
    public int Port { get; } = ServerProcess.FreePort();
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string ConnectionString => _connectionString;

    /// <summary>Another checkout's MeshMeet.Web folder to run, and the address to listen on (see ServerProcess.MeshMeetAsync).</summary>
    public string? Web { get; init; }
    public string Listen { get; init; } = "127.0.0.1";

    private AppProcess(string connectionString, string signingKey, IReadOnlyDictionary<string, string> environment, Action<string> log) =>
        (_connectionString, _signingKey, _environment, _log) = (connectionString, signingKey, environment, log);

    /// <param name="connectionString">A database to share with other instances; a new one if null.</param>
    /// <param name="signingKey">The API token key, the same for instances of one cluster.</param>
    /// <param name="environment">More configuration, as environment variables (ConnectionStrings__Redis ...).</param>
    /// <param name="web">Another checkout's MeshMeet.Web folder; this one's if null.</param>
    /// <param name="listen">The address to listen on.</param>
    public static async Task<AppProcess> StartAsync(Action<string> log, string? connectionString = null, string? signingKey = null,
        IReadOnlyDictionary<string, string>? environment = null, string? web = null, string listen = "127.0.0.1")
    {
        var app = new AppProcess(connectionString ?? await TestDatabase.CreateAsync(),
            signingKey ?? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            environment ?? new Dictionary<string, string>(), log) { Web = web, Listen = listen };
        await app.StartAgainAsync();
        return app;
    }

    /// <summary>Starts the process (again, after a kill) and returns once /health answers 200.</summary>
    public async Task<TimeSpan> StartAgainAsync()
    {
        var clock = Stopwatch.StartNew();
        if (_server is not null) await _server.DisposeAsync(); // the process a test killed
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__MeshMeet"] = _connectionString,
            ["Jwt__SigningKey"] = _signingKey,
            ["Admin__Email"] = AdminEmail,
            ["Admin__Password"] = AdminPassword,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in _environment) environment[key] = value;
        _server = await ServerProcess.MeshMeetAsync(Port, environment, _log, Web, Listen);
        using var http = new HttpClient();
        while (true)
        {
            if (_server.HasExited) throw new InvalidOperationException($"The app exited while starting:\n{_server.Output}");
            try { if ((await http.GetAsync($"{BaseUrl}/health")).IsSuccessStatusCode) return clock.Elapsed; }
            catch (HttpRequestException) { /* not ready yet */ }
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The app did not become healthy within 60 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>kill -9: no shutdown, no goodbye to anyone.</summary>
    public void Kill() => _server!.Kill();

    /// <summary>SIGSTOP / SIGCONT (see <see cref="ServerProcess.Freeze"/>).</summary>
    public void Freeze() => _server!.Freeze();
    public void Thaw() => _server!.Thaw();

    /// <summary>What the process wrote to its console so far (its log).</summary>
    public string Output => _server!.Output;

    /// <summary>A room of the seeded admin, made through the API.</summary>
    public async Task<string> CreateRoomAsync(string name)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        var token = (await (await http.PostAsJsonAsync("/api/token", new { email = AdminEmail, password = AdminPassword }))
            .Content.ReadFromJsonAsync<MeshMeetApp.TokenBody>())!.AccessToken;
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var room = await (await http.PostAsJsonAsync("/api/rooms", new { name })).Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();
        return room!.Id;
    }

    /// <summary>How many events of that type (Marten's snake-case name) a room's audit stream holds.</summary>
    public static Task<long> AuditEventsAsync(string connectionString, string roomId, string type) =>
        TestDatabase.ScalarAsync<long>(connectionString, $"""
            SELECT count(*) FROM {MeshMeet.Web.Audit.AuditSetup.Schema}.mt_events e
            JOIN {MeshMeet.Web.Audit.AuditSetup.Schema}.mt_doc_roomsummary s ON s.id = e.stream_id
            WHERE s.data->>'RoomId' = '{roomId}' AND e.type = '{type}'
            """);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
