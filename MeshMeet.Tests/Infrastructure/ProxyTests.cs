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
        Assert.Contains("secure", await AntiforgeryCookieAsync(https: true), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The antiforgery cookie a fresh browser gets with the sign-in form.</summary>
    private async Task<string> AntiforgeryCookieAsync(bool https)
    {
        using var browser = app.NewClient();
        var page = await browser.SendAsync(ViaProxy(HttpMethod.Get, "/Identity/Account/Login", https));
        return page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery."));
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
        Assert.DoesNotContain("secure", await AntiforgeryCookieAsync(https: false), StringComparison.OrdinalIgnoreCase);
    }
}
