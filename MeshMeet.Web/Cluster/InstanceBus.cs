using System.Collections.Concurrent;
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
/// kicked connection relays nothing, wherever it is.
/// <para>Pub/sub keeps nothing for a subscriber that is away, so a revocation is sent again until acknowledged, and an
/// instance that loses Redis is out of standing (<see cref="InstanceStanding"/>: it relays nothing) until it has
/// compared its seats with the database after Redis is back (<see cref="RedisLink"/>).</para>
/// <para>Redis is a shared medium (other programs, a mistyped ACL, a relay someone opened into it), so a notice counts
/// only when signed with the cluster's secret (HMAC-SHA256, <c>Cluster:Secret</c>), and a revocation is carried out
/// only when the database agrees that the seat it names is no longer held by that connection.</para>
/// </summary>
public sealed partial class InstanceBus(InstanceIdentity identity, RedisLink link, SeatRevoker revoker, InstanceStanding standing,
    IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<ClusterOptions> options, ILogger<InstanceBus> log)
    : IInstanceNotices, IHostedService
{
    private const string Prefix = "meshmeet:cluster:";
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _acks = new();
    private long _nextAck;
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.Secret ?? "");
    public string InstanceId => identity.Id;

    /// <summary>Notices can be sent and received now (always, with one instance).</summary>
    public bool LinkUp => link.Up;

    public async Task StartAsync(CancellationToken ct)
    {
        if (!link.Clustered) return;
        var subscriber = (await link.ConnectAsync()).GetSubscriber();
        (await subscriber.SubscribeAsync(RedisChannel.Literal(Prefix + identity.Id))).OnMessage(m => Receive(m.Message));
        (await subscriber.SubscribeAsync(RedisChannel.Literal(Prefix + "all"))).OnMessage(m => Receive(m.Message));
        if (!link.Up) standing.Suspend(); // Redis is not there yet: in standing once it is and the seats are checked
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Revokes a seat held by another instance. With <paramref name="wait"/>, sends it again every half second
    /// until that instance acknowledges it, for up to <see cref="ClusterOptions.RevokeTimeoutMilliseconds"/>. An
    /// instance that does not answer in that time is frozen or cut off, and relays nothing for anyone until it has
    /// reconciled its seats with the database (lost Redis) or renewed its heartbeat (frozen).</summary>
    public async Task RevokeElsewhereAsync(string instanceId, Revocation revocation, bool wait)
    {
        if (!link.Clustered) return; // one instance: a seat naming another is left over from before a restart
        var ack = wait ? Interlocked.Increment(ref _nextAck) : 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (wait) _acks[ack] = done;
        var deadline = DateTime.UtcNow.AddMilliseconds(options.Value.RevokeTimeoutMilliseconds);
        string? problem = null;
        try
        {
            do
            {
                try
                {
                    await PublishAsync(instanceId, new Notice(Kinds.Revoke, identity.Id, ack, revocation));
                    problem = "no acknowledgement";
                }
                catch (Exception e) when (e is TimeoutException or RedisException)
                {
                    problem = e.Message;
                }
                if (!wait) return;
                await Task.WhenAny(done.Task, Task.Delay(ResendAfter));
            } while (!done.Task.IsCompleted && DateTime.UtcNow < deadline);
            if (!done.Task.IsCompleted) LogRevokeUnconfirmed(instanceId, problem ?? "no acknowledgement");
        }
        finally
        {
            if (wait) _acks.TryRemove(ack, out _);
        }
    }

    private static readonly TimeSpan ResendAfter = TimeSpan.FromMilliseconds(500);

    /// <summary>A room's call is over: every other instance forgets its roster.</summary>
    public async Task RoomClosedAsync(Guid roomId)
    {
        if (!link.Clustered) return;
        try
        {
            await PublishAsync("all", new Notice(Kinds.RoomClosed, identity.Id, 0, new Revocation(roomId, "", "", false)));
        }
        catch (Exception e) when (e is TimeoutException or RedisException)
        {
            LogRevokeUnconfirmed("all", e.Message); // a roster left behind costs memory, not correctness
        }
    }

    private async Task PublishAsync(string to, Notice notice) =>
        await (await link.ConnectAsync()).GetSubscriber().PublishAsync(RedisChannel.Literal(Prefix + to), NoticeSigning.Sign(_key, JsonSerializer.SerializeToUtf8Bytes(notice)));

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
        catch (Exception e) when (e is TimeoutException or RedisException || DatabaseHealthCheck.IsDatabaseFailure(e))
        {
            LogNoticeUnanswered(DatabaseHealthCheck.Reason(e)); // the sender sends it again; reconciliation catches what is left
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not act on a notice from another instance now: {Reason}")]
    private partial void LogNoticeUnanswered(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A notice from another instance failed")]
    private partial void LogNoticeFailed(Exception e);
}
