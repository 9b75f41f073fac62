using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Signaling;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace MeshMeet.Web.Cluster;

/// <summary>
/// Notices between the app instances that share a database, over Redis pub/sub (ConnectionStrings:Redis). SignalR's
/// backplane already carries every message for browsers; what it cannot carry is routing state, which lives in the
/// memory of the instance holding a connection. So a kick committed on instance A becomes a revocation sent to the
/// instance named in the seat, and A waits for its acknowledgement before anyone hears of the kick: from then on the
/// kicked connection relays nothing, wherever it is. Without Redis there is one instance and every live seat is local.
/// <para>Redis is a shared medium (other programs, a mistyped ACL, a relay someone opened into it), so a notice counts
/// only when signed with the cluster's secret (HMAC-SHA256, <c>Cluster:Secret</c>), and a revocation is carried out
/// only when the database agrees that the seat it names is no longer held by that connection.</para>
/// </summary>
public sealed partial class InstanceBus(InstanceIdentity identity, IConfiguration config, SeatRevoker revoker, IServiceScopeFactory scopes,
    Microsoft.Extensions.Options.IOptions<ClusterOptions> options, ILogger<InstanceBus> log) : IInstanceNotices, IHostedService, IAsyncDisposable
{
    private const string Prefix = "meshmeet:cluster:";
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _acks = new();
    private long _nextAck;
    private ConnectionMultiplexer? _redis;
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.Secret ?? "");

    public string InstanceId => identity.Id;

    /// <summary>The Redis connection, when several instances are configured (readiness checks ping it).</summary>
    public IConnectionMultiplexer? Redis => _redis;

    public async Task StartAsync(CancellationToken ct)
    {
        if (config.GetConnectionString("Redis") is not { Length: > 0 } redis) return;
        var redisOptions = ConfigurationOptions.Parse(redis);
        redisOptions.AbortOnConnectFail = false; // Redis may start after us; the client keeps trying
        _redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
        var subscriber = _redis.GetSubscriber();
        (await subscriber.SubscribeAsync(RedisChannel.Literal(Prefix + identity.Id))).OnMessage(m => Receive(m.Message));
        (await subscriber.SubscribeAsync(RedisChannel.Literal(Prefix + "all"))).OnMessage(m => Receive(m.Message));
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
    }

    /// <summary>Revokes a seat held by another instance. With <paramref name="wait"/>, returns once that instance has
    /// done it, or after <see cref="ClusterOptions.RevokeTimeoutMilliseconds"/> (an instance that does not answer is
    /// dead or cut off, and relays nothing to anyone either way).</summary>
    public async Task RevokeElsewhereAsync(string instanceId, Revocation revocation, bool wait)
    {
        if (_redis is null) return; // one instance: a seat naming another is left over from before a restart
        var ack = wait ? Interlocked.Increment(ref _nextAck) : 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (wait) _acks[ack] = done;
        try
        {
            await PublishAsync(instanceId, new Notice(Kinds.Revoke, identity.Id, ack, revocation));
            if (wait) await done.Task.WaitAsync(TimeSpan.FromMilliseconds(options.Value.RevokeTimeoutMilliseconds));
        }
        catch (Exception e) when (e is TimeoutException or RedisException)
        {
            LogRevokeUnconfirmed(instanceId, e.Message);
        }
        finally
        {
            if (wait) _acks.TryRemove(ack, out _);
        }
    }

    /// <summary>A room's call is over: every other instance forgets its roster.</summary>
    public async Task RoomClosedAsync(Guid roomId)
    {
        if (_redis is null) return;
        try
        {
            await PublishAsync("all", new Notice(Kinds.RoomClosed, identity.Id, 0, new Revocation(roomId, "", "", false)));
        }
        catch (RedisException e)
        {
            LogRevokeUnconfirmed("all", e.Message); // a roster left behind costs memory, not correctness
        }
    }

    private Task PublishAsync(string to, Notice notice) =>
        _redis!.GetSubscriber().PublishAsync(RedisChannel.Literal(Prefix + to), NoticeSigning.Sign(_key, JsonSerializer.SerializeToUtf8Bytes(notice)));

    private void Receive(RedisValue message) => _ = HandleAsync(message);

    private async Task HandleAsync(RedisValue message)
    {
        try
        {
            if (NoticeSigning.Verify(_key, (byte[])message!) is not { } payload)
            {
                if (_forged.ShouldLog(out var suppressed)) LogForgedNotice(suppressed);
                return;
            }
            var notice = JsonSerializer.Deserialize<Notice>(payload)!;
            switch (notice.Kind)
            {
                case Kinds.Revoke:
                    if (await DatabaseAgreesAsync(notice.Revocation)) await revoker.RevokeHereAsync(notice.Revocation);
                    if (notice.Ack != 0) await PublishAsync(notice.From, new Notice(Kinds.Ack, identity.Id, notice.Ack, notice.Revocation));
                    break;
                case Kinds.Ack:
                    if (_acks.TryGetValue(notice.Ack, out var done)) done.TrySetResult();
                    break;
                case Kinds.RoomClosed when notice.From != identity.Id:
                    revoker.ForgetRoom(notice.Revocation.RoomId);
                    break;
            }
        }
        catch (Exception e)
        {
            LogNoticeFailed(e);
        }
    }

    /// <summary>A revocation is sent after its change committed: the connection it names must no longer hold any seat
    /// (left, kicked, closed, or resumed elsewhere). A replayed notice about a live seat changes nothing.</summary>
    private async Task<bool> DatabaseAgreesAsync(Revocation revocation)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MeshMeetDb>();
        return !await db.Participants.AnyAsync(p => p.ConnectionId == revocation.ConnectionId);
    }

    private readonly LogSampler _forged = new(TimeSpan.FromSeconds(10));

    private static class Kinds
    {
        public const string Revoke = "revoke", Ack = "ack", RoomClosed = "room-closed";
    }

    private sealed record Notice(string Kind, string From, long Ack, Revocation Revocation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} did not confirm a revocation: {Reason}")]
    private partial void LogRevokeUnconfirmed(string instance, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a notice on Redis that is not signed with this cluster's secret ({Suppressed} more since the last one logged)")]
    private partial void LogForgedNotice(long suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "A notice from another instance failed")]
    private partial void LogNoticeFailed(Exception e);
}
