using System.Net;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;

namespace MeshMeet.Tests.Signaling;

public sealed class HubOriginRulesTests
{
    private static readonly string[] Allowed = ["https://meet.example.org"];

    [Theory]
    [InlineData(null, true)]                               // not a browser
    [InlineData("http://127.0.0.1:5080", true)]            // our own origin
    [InlineData("https://meet.example.org", true)]         // configured
    [InlineData("https://evil.example", false)]
    [InlineData("http://127.0.0.1:6000", false)]           // another port is another origin
    [InlineData("https://127.0.0.1:5080", false)]          // and another scheme
    [InlineData("null", false)]                            // sandboxed frames and file: pages
    public void Only_our_own_and_configured_origins_may_use_the_hub(string? origin, bool allowed) =>
        Assert.Equal(allowed, HubOrigins.IsAllowed(origin, "http", "127.0.0.1:5080", Allowed));
}

[Collection(AppCollection.Name)]
public sealed class HubOriginTests(MeshMeetApp app)
{
    private async Task<HttpStatusCode> NegotiateAsync(string? origin)
    {
        using var client = app.NewClient();
        var request = new HttpRequestMessage(HttpMethod.Post, $"{SignalingSetup.HubPath}/negotiate?negotiateVersion=1");
        if (origin is not null) request.Headers.Add("Origin", origin);
        return (await client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task A_page_on_another_origin_cannot_reach_the_hub_even_with_a_cookie()
    {
        using var client = app.NewClient();
        await Forms.RegisterAsync(client); // the browser holds a host's cookie
        var request = new HttpRequestMessage(HttpMethod.Post, $"{SignalingSetup.HubPath}/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "https://evil.example");

        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task The_apps_own_pages_and_clients_without_an_origin_keep_working()
    {
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(app.BaseUrl));
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(null));
    }
}
