using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;

namespace MeshMeet.Tests.Telemetry;

/// <summary>MeshMeet as its own process with JSON console logs, as an operator runs it: metrics of one process only
/// (in-process test apps share the process's meters).</summary>
public sealed class LoggedApp : IAsyncLifetime
{
    public const string AdminEmail = "admin@json.test";
    public const string AdminPassword = "Json-Log-Pa55word!";
    public ServerProcess Server { get; private set; } = null!;
    public string BaseUrl => $"http://127.0.0.1:{Server.Port}";
    public string Token { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.MeshMeetAsync(ServerProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__MeshMeet"] = await TestDatabase.CreateAsync(),
            ["Jwt__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Admin__Email"] = AdminEmail,
            ["Admin__Password"] = AdminPassword,
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
        });
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Token = (await (await http.PostAsJsonAsync("/api/token", new { email = AdminEmail, password = AdminPassword }))
            .Content.ReadFromJsonAsync<MeshMeetApp.TokenBody>())!.AccessToken;
    }

    public async Task<string> CreateRoomAsync(string name)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return (await (await http.PostAsJsonAsync("/api/rooms", new { name })).Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>())!.Id;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>/metrics as Prometheus text, for loopback only; JSON logs with the room as a scope and no secrets.</summary>
public sealed class TelemetryTests(LoggedApp app) : IClassFixture<LoggedApp>
{
    private static double Sample(string metrics, string name, string? labels = null)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => (l.StartsWith(name + " ") || l.StartsWith(name + "{")) && (labels is null || l.Contains(labels)));
        Assert.True(line is not null, $"{name} {labels} not in:\n{metrics}");
        return double.Parse(line.Split(' ')[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Scrapes until the gauge shows the value (connections close a moment after their clients are disposed).</summary>
    private static async Task<string> ScrapeUntilAsync(HttpClient http, string name, double value)
    {
        for (var i = 0; ; i++)
        {
            var metrics = await http.GetStringAsync("/metrics");
            if (Sample(metrics, name) == value || i == 50) return metrics;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Metrics_after_a_three_person_call_show_its_participants_and_the_signals_relayed()
    {
        var room = await app.CreateRoomAsync("Measured");
        var people = new List<CallClient>();
        for (var i = 0; i < 3; i++)
        {
            var person = await CallClient.ConnectAsync(app.BaseUrl);
            await person.JoinAsync(room, $"Person {i}");
            people.Add(person);
        }
        for (var i = 0; i < 5; i++)
            await people[0].InvokeAsync("Signal", new SignalRequest(people[1].SelfId, null, new IceCandidate($"candidate:{i} 1 udp 1 127.0.0.1 5000 typ host", "0", 0, "u")));
        await people[1].WaitForAsync<SignalMessage>("Signal", s => s.Candidate!.Candidate!.StartsWith("candidate:4 "));
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        var metrics = await ScrapeUntilAsync(http, "meshmeet_participants", 3);

        Assert.Equal(3, Sample(metrics, "meshmeet_participants"));
        Assert.Equal(1, Sample(metrics, "meshmeet_rooms_active"));
        Assert.True(Sample(metrics, "meshmeet_signals_relayed_total") >= 5);
        Assert.True(Sample(metrics, "meshmeet_joins_total", "outcome=\"admitted\"") >= 3);
        Assert.True(Sample(metrics, "meshmeet_hub_call_duration_seconds_count", "method=\"JoinRoom\"") >= 3);
        Assert.Contains("http_server_request_duration_seconds", metrics); // ASP.NET Core's own
        Assert.Contains("dotnet_gc_", metrics); // the runtime's

        await people[2].InvokeAsync("LeaveRoom", new LeaveRoomRequest());
        Assert.Equal(2, Sample(await ScrapeUntilAsync(http, "meshmeet_participants", 2), "meshmeet_participants"));
        foreach (var person in people) await person.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_are_not_served_to_other_addresses()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9"); // through the local proxy, from outside
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task The_json_log_of_a_join_carries_the_room_and_participant_and_no_secrets()
    {
        var room = await app.CreateRoomAsync("Logged room");
        await using var ann = await CallClient.ConnectAsync(app.BaseUrl);
        await using var ben = await CallClient.ConnectAsync(app.BaseUrl);
        var annJoin = await ann.JoinAsync(room, "Ann");
        await ben.JoinAsync(room, "Ben");
        await ann.InvokeAsync("Signal", new SignalRequest(ben.SelfId, new SessionDescription("offer", "v=0 sdp-secret-marker"), null));
        await ben.WaitForAsync<SignalMessage>("Signal");

        var join = await WaitForLineAsync(app.Server, l => l.Contains("joined room") && l.Contains(annJoin.SelfId));
        using var entry = JsonDocument.Parse(join);
        var scopes = entry.RootElement.GetProperty("Scopes").EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object).ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("ParticipantId", out var p) && p.GetString() == annJoin.SelfId && s.TryGetProperty("RoomId", out _));
        // The room by its internal id; its link id is the key to the room and stays out of every log.
        var roomId = scopes.Single(s => s.TryGetProperty("RoomId", out _)).GetProperty("RoomId").ToString();
        Assert.Contains(roomId, entry.RootElement.GetProperty("Message").GetString());

        var output = app.Server.Output;
        foreach (var secret in new[] { "sdp-secret-marker", "candidate:", annJoin.ReconnectToken, app.Token, LoggedApp.AdminPassword, room })
            Assert.DoesNotContain(secret, output);
    }

    private static async Task<string> WaitForLineAsync(ServerProcess server, Func<string, bool> match)
    {
        for (var i = 0; i < 50; i++)
        {
            var line = server.Output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith('{') && match(l));
            if (line is not null) return line;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No such log line in:\n{server.Output}");
    }
}
