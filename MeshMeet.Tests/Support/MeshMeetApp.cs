using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshMeet.Tests.Support;

/// <summary>
/// The real app on a real Kestrel port with its own PostgreSQL database: what browsers, SignalR clients and HTTP
/// clients in the tests talk to.
/// </summary>
public class MeshMeetApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@meshmeet.test";
    public const string AdminPassword = "Admin-Pa55word!";
    public const string Password = "Host-Pa55word!";

    public string ConnectionString { get; private set; } = "";

    /// <summary>Every warning and error the app logged (tests assert what must not be an error).</summary>
    public CapturedLogs Logs { get; } = new();
    public string BaseUrl { get; private set; } = "";

    /// <summary>Extra configuration a test class needs (for example a shorter reconnect grace).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The database: a new one, unless instances share one (<see cref="TwoInstances"/>).</summary>
    protected virtual Task<string> DatabaseAsync() => TestDatabase.CreateAsync();

    /// <summary>Instances that trust each other's API tokens share the key.</summary>
    protected virtual string JwtSigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public MeshMeetApp() => UseKestrel(0);

    public async Task InitializeAsync()
    {
        ConnectionString = await DatabaseAsync();
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1");
    }

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:MeshMeet", ConnectionString);
        builder.UseSetting("Jwt:SigningKey", JwtSigningKey);
        builder.UseSetting("Admin:Email", AdminEmail);
        builder.UseSetting("Admin:Password", AdminPassword);
        builder.UseSetting("Signaling:ReconnectGraceSeconds", "2");
        builder.UseSetting("Signaling:RestartGraceSeconds", "0");
        // Hashing passwords at full strength costs ~0.1 s each; PasswordTests keep the real figure.
        builder.UseSetting("Accounts:PasswordIterations", "1000");
        // Every test client comes from 127.0.0.1: the whole suite is one "address". AddressLimitTests runs the defaults.
        builder.UseSetting("Signaling:PerAddress:Connections", "100000");
        builder.UseSetting("Signaling:PerAddress:JoinBurst", "100000");
        builder.UseSetting("Signaling:PerAddress:NegotiateBurst", "100000");
        builder.UseSetting("Signaling:RejoinBurst", "100000");
        // Refused joins are expected here; keep test output for what matters.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.SignalR", "Error");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    /// <summary>An HttpClient with its own cookie jar that does not follow redirects, like a fresh browser.</summary>
    public HttpClient NewClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new() }) { BaseAddress = new Uri(BaseUrl) };

    /// <summary>Creates a host account directly (tests of other things need not click through registration).</summary>
    public async Task<string> CreateHostAsync(string? email = null)
    {
        email ??= $"host-{Guid.NewGuid():N}@meshmeet.test";
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var result = await users.CreateAsync(new IdentityUser { UserName = email, Email = email, EmailConfirmed = true }, Password);
        if (!result.Succeeded) throw new InvalidOperationException(string.Join(", ", result.Errors.Select(e => e.Description)));
        return email;
    }

    /// <summary>A bearer token for a host, from POST /api/token.</summary>
    public async Task<string> TokenAsync(string email, string password = Password)
    {
        using var client = NewClient();
        var response = await client.PostAsJsonAsync("/api/token", new { email, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!.AccessToken;
    }

    /// <summary>An HttpClient that authenticates with a bearer token.</summary>
    public HttpClient BearerClient(string token)
    {
        var client = NewClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>Creates a room through the API; returns its public id.</summary>
    public async Task<string> CreateRoomAsync(string token, string name = "Standup", int? capacity = null)
    {
        using var client = BearerClient(token);
        var response = await client.PostAsJsonAsync("/api/rooms", new { name, capacity });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RoomBody>())!.Id;
    }

    /// <summary>Changes a room's settings through the API (PATCH /api/rooms/{id}).</summary>
    public async Task<RoomBody> ChangeRoomAsync(string token, string room, object settings)
    {
        using var client = BearerClient(token);
        var response = await client.PatchAsJsonAsync($"/api/rooms/{room}", settings);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RoomBody>())!;
    }

    /// <summary>Opens the call page like a browser and returns the browser-id cookie the server set for it.</summary>
    public async Task<string> BrowserCookieAsync(string room)
    {
        using var browser = NewClient();
        var page = await browser.GetAsync($"/r/{room}");
        var setCookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(MeshMeet.Web.Signaling.BrowserIds.CookieName));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        return setCookie.Split(';')[0];
    }

    public sealed record TokenBody(string AccessToken, DateTimeOffset ExpiresAt);
    public sealed record RoomBody(string Id, string Name, int Capacity, string JoinUrl, int LiveParticipants, bool Lobby = false, bool AskToUnmute = false);
}
