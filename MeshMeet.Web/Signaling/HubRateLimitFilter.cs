using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// Token buckets per connection: trickle ICE and renegotiation fit easily, a flood from one client is refused without
/// touching the database. Signals draw from a bucket per peer they are sent to, so the offers a person makes to someone
/// who keeps leaving and rejoining never use up what they need for the others; chat, and state changes (hand, media
/// state, TURN credentials), have small buckets of their own; every other call draws from the connection's bucket. Buckets live in the connection's Items and die with it. Behind them, the caller's address has
/// an allowance for all its connections together (<see cref="AddressLimits"/>): more sockets buy neither calls nor joins.
/// </summary>
internal sealed class HubRateLimitFilter(IOptions<SignalingOptions> options, TimeProvider clock, AddressLimits addresses) : IHubFilter
{
    public const string TooMany = "Too many requests from this connection. Slow down and try again.";
    public const string TooManyFromAddress = "Too many requests from your network. Wait a minute and try again.";

    /// <summary>Peers with a bucket of their own, per connection (a room has at most a handful; past that, ids a
    /// client makes up share the connection's bucket instead of growing the connection's memory).</summary>
    private const int MaxPeerBuckets = 16;

    private sealed class Bucket(double tokens, long at)
    {
        public double Tokens = tokens;
        public long At = at;
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var o = options.Value;
        var items = context.Context.Items;
        var now = clock.GetTimestamp();
        var (own, burst, perSecond) = context.HubMethodName switch
        {
            nameof(SignalingHub.SendChat) => (ChatBucketKey, o.ChatBurst, o.ChatsPerSecond),
            // Each of these writes to the database or mints credentials: far fewer than signals need.
            nameof(SignalingHub.SetHand) or nameof(SignalingHub.SetMediaState) or nameof(SignalingHub.RefreshIceServers)
                => (StateBucketKey, o.StateBurst, o.StateChangesPerSecond),
            _ => (null, o.CallBurst, o.CallsPerSecond),
        };
        var bucket = own is not null ? BucketIn(items, own, burst, now)
            : BucketFor(items, context.HubMethodArguments is [SignalRequest { To: { } to }, ..] ? to : null, burst, now);
        lock (bucket)
        {
            var refill = clock.GetElapsedTime(bucket.At, now).TotalSeconds * perSecond;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + refill);
            bucket.At = now;
            if (bucket.Tokens < 1) throw new HubException(TooMany);
            bucket.Tokens -= 1;
        }
        var address = (string)(items.TryGetValue(AddressKey, out var a) ? a! : items[AddressKey] = AddressLimits.AddressOf(context.Context.GetHttpContext()));
        if (!addresses.TryCall(address, context.HubMethodName == nameof(SignalingHub.JoinRoom))) throw new HubException(TooManyFromAddress);
        return await next(context);
    }

    private static Bucket BucketFor(IDictionary<object, object?> items, string? peer, int burst, long now)
    {
        if (peer is not null)
        {
            var peers = (Dictionary<string, Bucket>)(items.TryGetValue(PeerBucketsKey, out var p) ? p! : items[PeerBucketsKey] = new Dictionary<string, Bucket>());
            lock (peers)
            {
                if (peers.TryGetValue(peer, out var own)) return own;
                if (peers.Count < MaxPeerBuckets) return peers[peer] = new Bucket(burst, now);
            }
        }
        return BucketIn(items, typeof(Bucket), burst, now);
    }

    private static Bucket BucketIn(IDictionary<object, object?> items, object key, int burst, long now) =>
        (Bucket)(items.TryGetValue(key, out var b) ? b! : items[key] = new Bucket(burst, now));

    private const string AddressKey = "meshmeet.address";
    private const string PeerBucketsKey = "meshmeet.peer-buckets";
    private const string ChatBucketKey = "meshmeet.chat-bucket";
    private const string StateBucketKey = "meshmeet.state-bucket";
}
