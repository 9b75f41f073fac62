using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;

namespace MeshMeet.Tests.Infrastructure;

/// <summary>Behind a TLS proxy on the same machine (loopback is a known proxy): the app behaves as the https site it is.</summary>
[Collection(AppCollection.Name)]
public sealed class ProxyTests(MeshMeetApp app)
{
    private const string PublicHost = "meet.example.test";

    private static HttpRequestMessage ViaProxy(HttpMethod method, string path, bool https)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = PublicHost;
        if (https)
        {
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-For", "198.51.100.20");
        }
        return request;
    }

    [Fact]
    public async Task Forwarded_https_gives_secure_cookies_https_links_and_hsts()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        using var api = app.BearerClient(token);
        var create = ViaProxy(HttpMethod.Post, "/api/rooms", https: true);
        create.Content = JsonContent.Create(new { name = "Behind the proxy" });
        var response = await api.SendAsync(create);
        var room = await response.Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();
        Assert.StartsWith($"https://{PublicHost}/r/", room!.JoinUrl);
        Assert.Contains("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());

        using var browser = app.NewClient();
        var page = await browser.SendAsync(ViaProxy(HttpMethod.Get, $"/r/{room.Id}", https: true));
        var cookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(BrowserIds.CookieName));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Plain_http_without_a_proxy_keeps_http_links_and_sends_no_hsts()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        using var api = app.BearerClient(token);
        var create = ViaProxy(HttpMethod.Post, "/api/rooms", https: false);
        create.Content = JsonContent.Create(new { name = "Direct" });
        var response = await api.SendAsync(create);
        var room = await response.Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();
        Assert.StartsWith($"http://{PublicHost}/r/", room!.JoinUrl);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));

        using var browser = app.NewClient();
        var page = await browser.SendAsync(ViaProxy(HttpMethod.Get, $"/r/{room.Id}", https: false));
        Assert.DoesNotContain("secure", page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(BrowserIds.CookieName)), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>The app needs no superuser: it runs, as under scripts/run, as the non-superuser owner of its database.</summary>
[Collection(AppCollection.Name)]
public sealed class DatabaseRoleTests(MeshMeetApp app)
{
    [Fact]
    public async Task The_app_connects_as_a_role_that_owns_its_schemas_and_is_not_a_superuser()
    {
        var source = app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await using var command = source.CreateCommand("""
            SELECT r.rolsuper, current_user,
                   (SELECT count(*) FROM pg_namespace n WHERE n.nspname IN ('public', 'meshmeet_events') AND pg_get_userbyid(n.nspowner) IN (current_user, 'pg_database_owner'))
            FROM pg_roles r WHERE r.rolname = current_user
            """);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.False(reader.GetBoolean(0));
        Assert.Equal(TestDatabase.AppRole, reader.GetString(1));
        Assert.Equal(2L, reader.GetInt64(2));
    }
}
