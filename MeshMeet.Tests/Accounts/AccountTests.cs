using System.Net;
using System.Net.Http.Json;
using MeshMeet.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;

namespace MeshMeet.Tests.Accounts;

[Collection(AppCollection.Name)]
public sealed class AccountTests(MeshMeetApp app)
{
    [Fact]
    public async Task A_new_host_registers_and_is_signed_in_at_once()
    {
        using var client = app.NewClient();
        await Forms.RegisterAsync(client);

        var rooms = await client.GetAsync("/rooms");
        Assert.Equal(HttpStatusCode.OK, rooms.StatusCode);
        Assert.Contains("Your rooms", await rooms.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_registered_host_signs_in_with_the_sign_in_page()
    {
        var email = await app.CreateHostAsync();
        using var client = app.NewClient();

        var response = await Forms.SignInAsync(client, email, MeshMeetApp.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/rooms")).StatusCode);
    }

    [Fact]
    public async Task Signed_out_visitors_are_sent_to_sign_in_from_the_rooms_page()
    {
        using var client = app.NewClient();
        var response = await client.GetAsync("/rooms");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_token_endpoint_issues_a_signed_jwt_for_the_right_password()
    {
        var email = await app.CreateHostAsync();
        using var client = app.NewClient();

        var response = await client.PostAsJsonAsync("/api/token", new { email, password = MeshMeetApp.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<MeshMeetApp.TokenBody>();
        var jwt = new JsonWebToken(body!.AccessToken);
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal(email, jwt.Claims.Single(c => c.Type == "email").Value);
        Assert.True(body.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(30));
    }

    [Fact]
    public async Task A_wrong_password_gets_401_from_the_token_endpoint()
    {
        var email = await app.CreateHostAsync();
        using var client = app.NewClient();
        var response = await client.PostAsJsonAsync("/api/token", new { email, password = "wrong-Pa55word!" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_tampered_token_is_refused()
    {
        var email = await app.CreateHostAsync();
        var token = await app.TokenAsync(email);
        using var client = app.BearerClient(token[..^4] + (token.EndsWith("AAAA") ? "BBBB" : "AAAA"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/rooms")).StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_for_the_right_one()
    {
        var email = await app.CreateHostAsync();
        using var client = app.NewClient();
        for (var i = 0; i < 5; i++)
            await client.PostAsJsonAsync("/api/token", new { email, password = $"wrong-{i}-Pa55!" });

        var api = await client.PostAsJsonAsync("/api/token", new { email, password = MeshMeetApp.Password });
        var page = await Forms.SignInAsync(client, email, MeshMeetApp.Password);

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("/Identity/Account/Lockout", page.Headers.Location?.OriginalString.Split('?')[0]);
    }

    [Fact]
    public async Task The_configured_admin_exists_and_its_token_carries_the_admin_role()
    {
        var token = await app.TokenAsync(MeshMeetApp.AdminEmail, MeshMeetApp.AdminPassword);
        var jwt = new JsonWebToken(token);
        Assert.Contains(jwt.Claims, c => c.Value == "Admin");
    }
}
