using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>Gives a hub method a token bucket of its own per connection (shared by every method naming the same
/// bucket, which must give the same limits) instead of the connection's general one: for what a person clicks rather
/// than what a page sends by itself. A burst, refilled per second; <c>Signaling:Buckets:{Name}:Burst</c> and
/// <c>:PerSecond</c> override them.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RateBucketAttribute(string name, int burst, double perSecond) : Attribute
{
    public string Name => name;
    public int Burst => burst;
    public double PerSecond => perSecond;
}

/// <summary>The bucket shared by what changes a participant's state (hand, mute/camera/screen) or mints TURN
/// credentials: each writes to the database or costs a hash, far fewer than signals need.</summary>
public static class StateBucket
{
    public const string Name = "State";
    public const int Burst = 20;
    public const double PerSecond = 2;
}

/// <summary>
/// Token buckets per connection: trickle ICE and renegotiation fit easily, a flood from one client is refused without
/// touching the database. Signals draw from a bucket per peer they are sent to, so the offers a person makes to someone
/// who keeps leaving and rejoining never use up what they need for the others; methods marked with a
/// <see cref="RateBucketAttribute"/> (chat, reactions, state changes) have small buckets of their own; every other call
/// draws from the connection's bucket. Buckets live in the connection's Items and die with it. Behind them, the caller's address has
/// an allowance for all its connections together (<see cref="AddressLimits"/>): more sockets buy neither calls nor joins.
/// </summary>
internal sealed class HubRateLimitFilter(IOptions<SignalingOptions> options, IConfiguration config, TimeProvider clock, AddressLimits addresses) : IHubFilter
{
    /// <summary>Hub method -> its own bucket (item key, burst, refill per second), read from the attributes once.</summary>
    private readonly FrozenDictionary<string, (string Key, int Burst, double PerSecond)> _own = OwnBuckets(config);

    internal static FrozenDictionary<string, (string Key, int Burst, double PerSecond)> OwnBuckets(IConfiguration config)
    {
        var marked = typeof(SignalingHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => (m.Name, Bucket: m.GetCustomAttribute<RateBucketAttribute>()))
            .Where(m => m.Bucket is not null).ToList();
        foreach (var shared in marked.GroupBy(m => m.Bucket!.Name).Where(g => g.Select(m => (m.Bucket!.Burst, m.Bucket.PerSecond)).Distinct().Count() > 1))
            throw new InvalidOperationException($"The hub methods of rate bucket {shared.Key} ({string.Join(", ", shared.Select(m => m.Name))}) give it different limits.");
        return marked.ToFrozenDictionary(m => m.Name, m =>
        {
            var section = config.GetSection($"Signaling:Buckets:{m.Bucket!.Name}");
            return ("meshmeet.bucket." + m.Bucket.Name,
                int.TryParse(section["Burst"], CultureInfo.InvariantCulture, out var b) ? b : m.Bucket.Burst,
                double.TryParse(section["PerSecond"], CultureInfo.InvariantCulture, out var r) ? r : m.Bucket.PerSecond);
        });
    }

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
        var (own, burst, perSecond) = _own.TryGetValue(context.HubMethodName, out var b) ? b : (null, o.CallBurst, o.CallsPerSecond);
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
}
