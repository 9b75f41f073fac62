using Microsoft.Extensions.DependencyInjection;
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

/// <summary>A host's hub connection lives no longer than the sign-in it was opened with.</summary>
[Collection(AppCollection.Name)]
public sealed class HubAuthenticationExpiryTests(MeshMeetApp app)
{
    [Fact]
    public async Task The_connection_of_a_host_whose_token_expires_is_closed_and_its_host_rights_go_with_it()
    {
        var email = await app.CreateHostAsync();
        var room = await app.CreateRoomAsync(await app.TokenAsync(email));
        string shortToken;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>();
            var signing = scope.ServiceProvider.GetRequiredService<MeshMeet.Web.Accounts.JwtSigning>();
            var issuer = new MeshMeet.Web.Accounts.TokenIssuer(new MeshMeet.Web.Accounts.JwtSigning(signing.Key, signing.Issuer, TimeSpan.FromSeconds(3)),
                users, TimeProvider.System);
            shortToken = (await issuer.IssueAsync((await users.FindByEmailAsync(email))!)).AccessToken;
        }
        await using var host = await CallClient.ConnectAsync(app, shortToken);
        await using var guest = await CallClient.ConnectAsync(app);
        var closed = new TaskCompletionSource();
        host.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        Assert.True((await host.JoinAsync(room, "Host")).IsHost);
        await guest.JoinAsync(room, "Guest");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 15); // open while the token was valid, closed once it was not
        // The host's seat goes the way of any dropped connection: the guest hears it left after the grace period.
        Assert.Equal(LeaveReasons.Disconnected, (await guest.WaitForAsync<PeerLeft>("PeerLeft", timeoutMs: 10000)).Reason);
    }
}
