using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Cluster;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Signaling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace MeshMeet.Tests.Cluster;

public sealed class NoticeSigningTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(TwoInstances.ClusterSecret);

    [Fact]
    public void A_signed_notice_verifies_and_any_change_or_another_key_does_not()
    {
        var signed = NoticeSigning.Sign(Key, "{\"Kind\":\"revoke\"}"u8.ToArray());
        Assert.Equal("{\"Kind\":\"revoke\"}", Encoding.UTF8.GetString(NoticeSigning.Verify(Key, signed)!));

        var tampered = signed.ToArray();
        tampered[^2] ^= 1;
        Assert.Null(NoticeSigning.Verify(Key, tampered));
        Assert.Null(NoticeSigning.Verify("another-secret-of-at-least-32-characters"u8.ToArray(), signed));
        Assert.Null(NoticeSigning.Verify(Key, "{\"Kind\":\"revoke\"}"u8.ToArray()));
        Assert.Null(NoticeSigning.Verify([], signed));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("127.0.0.1:6379", null, "Cluster:Secret must be too")]
    [InlineData("127.0.0.1:6379", "too-short", "at least 32 characters")]
    [InlineData("127.0.0.1:6379", TwoInstances.ClusterSecret, null)]
    public void Several_instances_need_a_cluster_secret(string? redis, string? secret, string? problem)
    {
        var found = ClusterOptions.Problem(new ClusterOptions { Secret = secret }, redis);
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }
}

/// <summary>Redis is a shared medium: what reaches it without the password, or without the cluster's secret, changes
/// nothing; and instances judge each other by the database's clock, not their own.</summary>
public sealed class ClusterSecurityTests(TwoInstances cluster) : IClassFixture<TwoInstances>
{
    private MeshMeetApp A => cluster.A;
    private MeshMeetApp B => cluster.B;

    /// <summary>A host on A and Ann on B in one call; disposing it hangs both up.</summary>
    private sealed record Call(string Room, CallClient Host, CallClient Ann) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Ann.DisposeAsync();
        }
    }

    private async Task<Call> CallAcrossAsync()
    {
        var token = await A.TokenAsync(await A.CreateHostAsync());
        var room = await A.CreateRoomAsync(token, "Across instances");
        var host = await CallClient.ConnectAsync(A, token);
        var ann = await CallClient.ConnectAsync(B);
        await host.JoinAsync(room, "Host");
        await ann.JoinAsync(room, "Ann");
        return new Call(room, host, ann);
    }

    private async Task<Guid> RoomIdAsync(string room)
    {
        await using var scope = A.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MeshMeetDb>().Rooms.Where(r => r.PublicId == room).Select(r => r.Id).SingleAsync();
    }

    private static byte[] RevokeNotice(Guid roomId, CallClient who, string from, long ack) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        Kind = "revoke", From = from, Ack = ack,
        Revocation = new { RoomId = roomId, ParticipantId = who.SelfId, ConnectionId = who.Connection.ConnectionId, Bar = true },
    });

    private static async Task StillInTheCallAsync(CallClient ann, CallClient host)
    {
        var candidate = new IceCandidate("candidate:1 1 udp 1 127.0.0.1 5000 typ host", "0", 0, "u");
        await ann.InvokeAsync(nameof(SignalingHub.Signal), new SignalRequest(host.SelfId, null, candidate));
        await host.WaitForAsync<SignalMessage>("Signal", s => s.From == ann.SelfId);
        await host.InvokeAsync(nameof(SignalingHub.Signal), new SignalRequest(ann.SelfId, null, candidate));
        await ann.WaitForAsync<SignalMessage>("Signal", s => s.From == host.SelfId);
    }

    [Fact]
    public async Task Redis_refuses_a_client_without_the_password()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", cluster.Redis.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("PSUBSCRIBE meshmeet:*\r\n"u8.ToArray());
        var buffer = new byte[256];
        var answer = Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer));
        Assert.StartsWith("-NOAUTH", answer);
    }

    [Fact]
    public async Task A_revocation_published_without_the_cluster_secret_changes_nothing()
    {
        await using var call = await CallAcrossAsync();
        var (room, host, ann) = call;
        var onB = B.Services.GetRequiredService<InstanceIdentity>().Id;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.RedisConnectionString);

        // Someone with access to Redis tells B to revoke Ann's seat: unsigned, and with a signature of their own.
        var forged = RevokeNotice(await RoomIdAsync(room), ann, "attacker", 0);
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal("meshmeet:cluster:" + onB), forged);
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal("meshmeet:cluster:all"),
            NoticeSigning.Sign("a-secret-the-attacker-made-up-of-32-characters"u8.ToArray(), forged));

        await WaitUntilAsync(() => B.Logs.All.Any(e => e.Message.Contains("not signed with this cluster's secret")));
        await StillInTheCallAsync(ann, host);
    }

    [Fact]
    public async Task A_signed_revocation_of_a_seat_the_database_says_is_live_changes_nothing()
    {
        await using var call = await CallAcrossAsync();
        var (room, host, ann) = call;
        var onB = B.Services.GetRequiredService<InstanceIdentity>().Id;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.RedisConnectionString);
        var key = Encoding.UTF8.GetBytes(TwoInstances.ClusterSecret);
        var acked = new TaskCompletionSource();
        (await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal("meshmeet:cluster:replayer"))).OnMessage(m =>
        {
            if (NoticeSigning.Verify(key, m.Message) is { } ack && Encoding.UTF8.GetString(ack).Contains("\"Ack\":42")) acked.TrySetResult();
        });

        // A genuine notice replayed (or one sent by a confused instance): Ann still holds that seat in the database.
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal("meshmeet:cluster:" + onB),
            NoticeSigning.Sign(key, RevokeNotice(await RoomIdAsync(room), ann, "replayer", 42)));

        await acked.Task.WaitAsync(TimeSpan.FromSeconds(10)); // B has handled it
        await StillInTheCallAsync(ann, host);
    }

    [Fact]
    public async Task An_instance_whose_clock_runs_a_minute_ahead_does_not_take_the_others_for_dead()
    {
        await using var call = await CallAcrossAsync();
        var (_, host, ann) = call;

        var ahead = cluster.Another(new ShiftedClock(TimeSpan.FromMinutes(1)));
        await ahead.InitializeAsync();
        try
        {
            await Task.Delay(4000); // several heartbeats of every instance, beyond the 3 s timeout
            Assert.DoesNotContain(host.Events<PeerLeft>("PeerLeft"), p => p.Id == ann.SelfId);
            Assert.DoesNotContain(ann.Events<PeerLeft>("PeerLeft"), p => p.Id == host.SelfId);
            await using var scope = A.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MeshMeetDb>();
            Assert.Equal(2, await db.Participants.CountAsync(p => (p.Id == host.SelfId || p.Id == ann.SelfId) && p.ConnectionId != null));
            await StillInTheCallAsync(ann, host);
        }
        finally
        {
            await ((IAsyncLifetime)ahead).DisposeAsync();
        }
    }

    [Fact]
    public async Task Each_instance_learns_how_many_are_alive_and_allows_its_share_of_the_per_address_limits()
    {
        foreach (var app in new[] { A, B })
        {
            var limits = app.Services.GetRequiredService<AddressLimits>();
            await WaitUntilAsync(() => limits.LiveInstances == 2);
        }
    }

    [Fact]
    public async Task Several_instances_without_a_cluster_secret_refuse_to_start_and_say_why()
    {
        await using var app = new WithoutSecret(cluster.Redis.RedisConnectionString);
        var failure = await Assert.ThrowsAnyAsync<Exception>(app.InitializeAsync);
        Assert.Contains("Cluster:Secret must be too", failure.ToString());
    }

    private sealed class WithoutSecret(string redis) : MeshMeetApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis };
    }

    private sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + by;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 50)
        {
            if (waited > 10_000) throw new TimeoutException("The condition did not hold within 10 s.");
            await Task.Delay(50);
        }
    }
}
