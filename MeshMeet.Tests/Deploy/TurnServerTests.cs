using System.Net;
using System.Net.Sockets;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;

namespace MeshMeet.Tests.Deploy;

/// <summary>
/// The real coturn with the configuration the project ships (deploy/turnserver.conf), tried with the credentials a
/// guest gets from JoinRoom, as an attacker holding them would. scripts/test gives this network namespace stand-in
/// addresses on a bridge: the TURN server's public address, a public peer and a private one.
/// </summary>
public sealed class TurnServerTests : IAsyncLifetime
{
    private const string Secret = "turn-test-secret";
    private static readonly string[] Addresses = (Environment.GetEnvironmentVariable("MESHMEET_TEST_TURN_ADDRESSES") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
    private readonly TurnOptions _turn = new() { Urls = ["turn:127.0.0.1"], Secret = Secret };
    private readonly string _dir = Directory.CreateTempSubdirectory("meshmeet-turn-").FullName;
    private ServerProcess _coturn = null!;
    private IPEndPoint _server = null!;

    private static IPAddress Relay => IPAddress.Parse(Addresses[0]);
    private static IPAddress PublicPeer => IPAddress.Parse(Addresses[1]);
    private static IPAddress PrivatePeer => IPAddress.Parse(Addresses[2]);

    public async Task InitializeAsync()
    {
        Assert.True(Addresses.Length == 3, "Run through scripts/test: it gives the test namespace the addresses of MESHMEET_TEST_TURN_ADDRESSES.");
        var port = ServerProcess.FreePort();
        var shipped = await File.ReadAllTextAsync(Path.Combine(ServerProcess.RepoRoot(), "deploy", "turnserver.conf"));
        // What an operator adds (deploy/compose.yaml does the same): where it listens, realm, secret, its own address.
        var config = Path.Combine(_dir, "turnserver.conf");
        await File.WriteAllTextAsync(config, shipped + $"""

            listening-ip=127.0.0.1
            listening-port={port}
            relay-ip={Relay}
            realm=meshmeet.test
            static-auth-secret={Secret}
            denied-peer-ip={Relay}
            log-file={_dir}/turn.log
            simple-log
            """);
        _coturn = await ServerProcess.StartAsync("turnserver", ["-c", config], port);
        _server = new IPEndPoint(IPAddress.Loopback, port);
    }

    public async Task DisposeAsync()
    {
        await _coturn.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<TurnClient> GuestAsync(string participant = "guest", bool tcp = false, DateTimeOffset? now = null)
    {
        var credentials = TurnCredentials.For(_turn, participant, now ?? DateTimeOffset.UtcNow);
        return TurnClient.ConnectAsync(_server, credentials.Username!, credentials.Credential!, tcp);
    }

    [Fact]
    public async Task A_guest_relays_to_a_public_peer_and_back()
    {
        using var peer = new UdpClient(new IPEndPoint(PublicPeer, 0));
        await using var guest = await GuestAsync();
        Assert.Equal(0, await guest.AllocateAsync());
        Assert.Equal(Relay, guest.Relayed!.Address);
        var at = (IPEndPoint)peer.Client.LocalEndPoint!;

        Assert.Equal(0, await guest.PermitAsync(at));
        await guest.SendAsync(at, "ping"u8.ToArray());
        var received = await peer.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(received.Buffer));
        await peer.SendAsync("pong"u8.ToArray(), received.RemoteEndPoint);
        Assert.Equal("pong", System.Text.Encoding.ASCII.GetString(await guest.ReceiveAsync(TimeSpan.FromSeconds(5)) ?? []));
    }

    [Fact]
    public async Task A_guest_cannot_reach_private_loopback_link_local_or_the_servers_own_addresses()
    {
        using var privatePeer = new UdpClient(new IPEndPoint(PrivatePeer, 0));
        var privatePort = ((IPEndPoint)privatePeer.Client.LocalEndPoint!).Port;
        await using var guest = await GuestAsync();
        Assert.Equal(0, await guest.AllocateAsync());

        string[] forbidden = [$"{PrivatePeer}", "127.0.0.1", "10.0.0.5", "172.17.0.2", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "198.18.0.1", "0.0.0.0", "224.0.0.1", $"{Relay}"];
        foreach (var address in forbidden)
            Assert.True(403 == await guest.PermitAsync(new IPEndPoint(IPAddress.Parse(address), privatePort)), $"relay to {address} allowed");

        // Without a permission nothing passes either: the private peer hears nothing.
        await guest.SendAsync(new IPEndPoint(PrivatePeer, privatePort), "ping"u8.ToArray());
        var heard = privatePeer.ReceiveAsync();
        Assert.NotSame(heard, await Task.WhenAny(heard, Task.Delay(1000)));
    }

    [Fact]
    public async Task Tcp_relays_are_refused()
    {
        await using var guest = await GuestAsync(tcp: true);
        Assert.Equal(442, await guest.AllocateAsync(tcpRelay: true)); // 442: unsupported transport protocol
    }

    [Fact]
    public async Task One_participant_cannot_take_every_relay()
    {
        var taken = new List<TurnClient>();
        try
        {
            int code;
            do
            {
                var client = await GuestAsync("greedy");
                taken.Add(client);
                code = await client.AllocateAsync();
            } while (code == 0 && taken.Count < 100);
            Assert.Equal(486, code); // allocation quota reached
            Assert.Equal(31, taken.Count); // user-quota=30

            await using var other = await GuestAsync("other");
            Assert.Equal(0, await other.AllocateAsync());
        }
        finally
        {
            foreach (var client in taken) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Expired_credentials_are_refused()
    {
        // Credentials handed out an hour ago have run out (they live 10 to 15 minutes).
        await using var departed = await GuestAsync(now: DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal(401, await departed.AllocateAsync());

        await using var fresh = await GuestAsync();
        Assert.Equal(0, await fresh.AllocateAsync());
    }
}
