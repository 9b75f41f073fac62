using System.Net;
using System.Net.Http.Json;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshMeet.Tests.Accounts;

/// <summary>The app with passwords hashed at full strength (the other tests hash with few iterations, for speed).</summary>
public sealed class FullStrengthApp : MeshMeetApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Accounts:PasswordIterations"] = $"{AccountsSetup.PasswordIterations}",
    };
}

public sealed class PasswordTests(FullStrengthApp app) : IClassFixture<FullStrengthApp>
{
    [Fact]
    public async Task Ten_wrong_passwords_on_the_sign_in_page_lock_the_account_for_the_page_and_the_api()
    {
        var email = await app.CreateHostAsync();
        using var client = app.NewClient();
        for (var i = 0; i < 10; i++) await Forms.SignInAsync(client, email, $"wrong-{i}-password");

        var page = await Forms.SignInAsync(client, email, MeshMeetApp.Password);
        var api = await client.PostAsJsonAsync("/api/token", new { email, password = MeshMeetApp.Password });

        Assert.Equal("/Identity/Account/Lockout", page.Headers.Location?.OriginalString.Split('?')[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/rooms")).StatusCode); // not signed in
    }

    [Theory]
    [InlineData("ninechars", false)]
    [InlineData("tencharsxx", true)]
    [InlineData("correct horse battery staple", true)]
    public async Task Passwords_need_ten_characters_and_no_composition_rules(string password, bool accepted)
    {
        using var client = app.NewClient();
        var response = await Forms.PostAsync(client, "/Identity/Account/Register", "/Identity/Account/Register", new Dictionary<string, string>
        {
            ["Input.Email"] = $"pw-{Guid.NewGuid():N}@meshmeet.test",
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

        Assert.Equal(accepted ? HttpStatusCode.Redirect : HttpStatusCode.OK, response.StatusCode);
        if (!accepted) Assert.Contains("at least 10", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_hash_made_with_fewer_iterations_is_rehashed_at_the_next_sign_in()
    {
        var email = await app.CreateHostAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            var weak = new PasswordHasher<IdentityUser>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 }));
            user.PasswordHash = weak.HashPassword(user, MeshMeetApp.Password);
            await users.UpdateAsync(user);
            Assert.Equal(100_000, Iterations(user.PasswordHash));
        }

        using var client = app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(client, email, MeshMeetApp.Password)).StatusCode);

        await using var after = app.Services.CreateAsyncScope();
        var stored = (await after.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByEmailAsync(email))!;
        Assert.Equal(AccountsSetup.PasswordIterations, Iterations(stored.PasswordHash!));
    }

    /// <summary>Identity's v3 hash: format marker, PRF (4 bytes), iteration count (4 bytes, big-endian), ...</summary>
    private static int Iterations(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        return bytes[5] << 24 | bytes[6] << 16 | bytes[7] << 8 | bytes[8];
    }
}
