using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace MeshMeet.Tests.Signaling;

/// <summary>TURN credentials (coturn's use-auth-secret scheme) and the relay-only policy.</summary>
public sealed class TurnTests
{
    private static readonly TurnOptions Turn = new() { Urls = ["turn:127.0.0.1:3478"], Secret = "north-wind", CredentialMinutes = 480 };

    [Fact]
    public void Credentials_are_the_expiry_and_participant_signed_with_the_secret()
    {
        var server = TurnCredentials.For(Turn, "p1", DateTimeOffset.FromUnixTimeSeconds(1_700_006_400));

        Assert.Equal(["turn:127.0.0.1:3478"], server.Urls);
        Assert.Equal("1700035200:p1", server.Username); // 480 minutes later, on a 4-hour step already
        // printf '%s' '1700035200:p1' | openssl dgst -sha1 -hmac 'north-wind' -binary | base64
        Assert.Equal("SE+NQ3gnKw+1jm5HfMaAgih60OA=", server.Credential);
    }

    [Fact]
    public void Credentials_live_ten_to_fifteen_minutes_and_asking_again_within_five_gives_the_same_ones()
    {
        var turn = new TurnOptions { Urls = ["turn:127.0.0.1:3478"], Secret = "north-wind" };
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_101); // just after a 5-minute step began
        var first = TurnCredentials.For(turn, "p1", now);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(first.Username!.Split(':')[0]));

        Assert.InRange(expiry - now, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15));
        Assert.Equal(first, TurnCredentials.For(turn, "p1", now.AddSeconds(60)));
        Assert.NotEqual(first.Username, TurnCredentials.For(turn, "p1", now.AddMinutes(5)).Username);
        Assert.Equal(300, TurnCredentials.RefreshSeconds(turn)); // the page asks again while half is left
    }

    [Fact]
    public void Each_join_gets_the_configured_servers_and_its_own_turn_credentials()
    {
        var signaling = new SignalingOptions { IceServers = [new IceServerConfig(["stun:stun.example.org:3478"])] };
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var servers = IceSettings.ServersFor(signaling, Turn, "p1", now);
        Assert.Equal(["stun:stun.example.org:3478", "turn:127.0.0.1:3478"], servers.SelectMany(s => s.Urls));
        Assert.NotEqual(servers[1].Credential, IceSettings.ServersFor(signaling, Turn, "p2", now)[1].Credential);
        Assert.Single(IceSettings.ServersFor(signaling, new TurnOptions(), "p1", now));
    }

    [Theory]
    [InlineData("all", false, null)]
    [InlineData("relay", true, null)]
    [InlineData("relay", false, "Turn:Urls and Turn:Secret")]
    [InlineData("direct", true, "must be \"all\" or \"relay\"")]
    public void Relay_only_needs_a_turn_server(string policy, bool withTurn, string? problem)
    {
        var found = IceSettings.Problem(new SignalingOptions { IceTransportPolicy = policy }, withTurn ? Turn : new TurnOptions());
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }

    private sealed class RelayApp(bool withTurn) : MeshMeetApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Signaling:IceTransportPolicy"] = "relay",
            ["Turn:Urls:0"] = withTurn ? "turn:127.0.0.1:3478" : null,
            ["Turn:Secret"] = withTurn ? "north-wind" : null,
        };
    }

    [Fact]
    public async Task A_join_carries_turn_credentials_and_the_relay_policy_and_the_page_says_addresses_stay_private()
    {
        await using var app = new RelayApp(withTurn: true);
        await app.InitializeAsync();
        var room = await app.CreateRoomAsync(await app.TokenAsync(await app.CreateHostAsync()));
        await using var guest = await CallClient.ConnectAsync(app);

        var joined = await guest.JoinAsync(room, "Ann");
        Assert.Equal("relay", joined.IceTransportPolicy);
        var turn = Assert.Single(joined.IceServers);
        Assert.EndsWith($":{joined.SelfId}", turn.Username);
        Assert.InRange(long.Parse(turn.Username!.Split(':')[0]), DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds() - 1, DateTimeOffset.UtcNow.AddMinutes(15).ToUnixTimeSeconds());
        Assert.Equal(TurnCredentials.Password("north-wind", turn.Username), turn.Credential);
        Assert.Equal(300, joined.IceRefreshSeconds);

        using var http = app.NewClient();
        Assert.Contains("so nobody in the call learns your IP address.</p>", await http.GetStringAsync($"/r/{room}"));
    }

    [Fact]
    public async Task Fresh_credentials_go_to_seated_participants_only_not_after_leaving_or_a_kick()
    {
        await using var app = new RelayApp(withTurn: true);
        await app.InitializeAsync();
        var host = await app.CreateHostAsync();
        var token = await app.TokenAsync(host);
        var room = await app.CreateRoomAsync(token);
        await using var owner = await CallClient.ConnectAsync(app, token);
        await owner.JoinAsync(room, "Host");
        await using var ann = await CallClient.ConnectAsync(app);
        await ann.JoinAsync(room, "Ann");
        await using var ben = await CallClient.ConnectAsync(app);
        await ben.JoinAsync(room, "Ben");
        await using var stranger = await CallClient.ConnectAsync(app);

        var fresh = await ann.Connection.InvokeAsync<RefreshIceServersResult>(nameof(SignalingHub.RefreshIceServers), new RefreshIceServersRequest());
        var turn = Assert.Single(fresh.IceServers);
        Assert.EndsWith($":{ann.SelfId}", turn.Username);
        Assert.Equal(TurnCredentials.Password("north-wind", turn.Username!), turn.Credential);

        await ann.InvokeAsync(nameof(SignalingHub.LeaveRoom), new LeaveRoomRequest());
        await owner.InvokeAsync(nameof(SignalingHub.KickParticipant), new KickParticipantRequest(ben.SelfId));
        foreach (var gone in new[] { ann, ben, stranger })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() =>
                gone.Connection.InvokeAsync<RefreshIceServersResult>(nameof(SignalingHub.RefreshIceServers), new RefreshIceServersRequest()));
            Assert.Equal(JoinRules.NotInRoom, CallClient.Reason(refused));
        }
    }

    [Fact]
    public async Task Relay_only_without_a_turn_server_refuses_to_start_and_says_what_is_missing()
    {
        await using var app = new RelayApp(withTurn: false);
        var failure = await Assert.ThrowsAnyAsync<Exception>(app.InitializeAsync);
        Assert.Contains("set Turn:Urls and Turn:Secret", failure.ToString());
    }
}
