using System.Net;
using System.Net.Http.Json;
using MeshMeet.Tests.Support;
using Npgsql;

namespace MeshMeet.Tests.Infrastructure;

/// <summary>Takes its own database away from the app and gives it back.</summary>
public sealed class HealthTests : IAsyncLifetime
{
    private readonly MeshMeetApp _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync()
    {
        await SetDatabaseReachable(true);
        await _app.DisposeAsync();
    }

    private async Task SetDatabaseReachable(bool reachable)
    {
        var name = new NpgsqlConnectionStringBuilder(_app.ConnectionString).Database;
        var admin = new NpgsqlConnectionStringBuilder(_app.ConnectionString) { Database = "postgres" }.ConnectionString;
        await TestDatabase.ExecuteAsync(admin, $"ALTER DATABASE {name} ALLOW_CONNECTIONS {reachable}");
        if (!reachable)
            await TestDatabase.ExecuteAsync(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
    }

    [Fact]
    public async Task Health_is_200_with_the_database_503_without_it_and_200_again_after()
    {
        using var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        await SetDatabaseReachable(false);
        var down = await client.GetAsync("/health");
        var page = await client.GetAsync("/r/AAAAAAAAAAAAAAAAAAAAAA");
        var api = await client.PostAsJsonAsync("/api/token", new { email = "x@y.z", password = "whatever" });
        var home = await client.GetAsync("/");
        await SetDatabaseReachable(true);
        var up = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Contains("The database is unavailable", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Contains("The database is unavailable", await api.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, home.StatusCode); // pages that need no database keep working
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Fact]
    public async Task A_call_in_progress_is_told_in_words_when_the_database_goes_away_and_carries_on_after()
    {
        var token = await _app.TokenAsync(await _app.CreateHostAsync());
        var room = await _app.CreateRoomAsync(token);
        await using var ann = await CallClient.ConnectAsync(_app);
        await using var ben = await CallClient.ConnectAsync(_app);
        await ann.JoinAsync(room, "Ann");

        await SetDatabaseReachable(false);
        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => ben.JoinAsync(room, "Ben"));
        await SetDatabaseReachable(true);
        await ben.JoinAsync(room, "Ben");

        Assert.Contains("cannot reach its database", CallClient.Reason(refused));
        Assert.Equal(ben.SelfId, (await ann.WaitForAsync<MeshMeet.Web.Signaling.PeerInfo>("PeerJoined")).Id);
    }
}
