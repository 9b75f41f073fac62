using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// Configuration section "Signaling:PerAddress": what one client address (after <see cref="Infrastructure.ProxySetup"/>,
/// the real one behind a known proxy) may use of the hub. The defaults let an office of 50 people behind one NAT
/// address meet in several calls at once; a few hundred sockets from one address get 429s and refusals instead of the
/// connection pool.
/// </summary>
public sealed class AddressLimitOptions
{
    /// <summary>Hub connections open at once.</summary>
    public int Connections { get; set; } = 100;
    /// <summary>Connection attempts (negotiate): a burst of this many, refilled at <see cref="NegotiatesPerMinute"/>.</summary>
    public int NegotiateBurst { get; set; } = 200;
    public int NegotiatesPerMinute { get; set; } = 200;
    /// <summary>Hub calls of all its connections together: a burst, refilled per second. Six people starting a call
    /// make about 700 signals; each connection also keeps its own, smaller allowance (Signaling:CallBurst).</summary>
    public int CallBurst { get; set; } = 10_000;
    public int CallsPerSecond { get; set; } = 1_000;
    /// <summary>JoinRoom attempts, the calls that cost database work: a burst, refilled per minute.</summary>
    public int JoinBurst { get; set; } = 120;
    public int JoinsPerMinute { get; set; } = 120;
}

/// <summary>The per-address limiters (see <see cref="AddressLimitOptions"/>), and the rejoin limit of one browser in
/// one room (Signaling:RejoinBurst).
/// <para>Several instances: a proxy spreads one address's browsers over them (by browser cookie), so each instance
/// allows its share of every per-address limit, the limit divided by the live instances (<see cref="SetLiveInstances"/>,
/// from the cluster's heartbeats): together they allow what one instance would, not that many times over.</para></summary>
public sealed class AddressLimits : IDisposable
{
    public const string HubPolicy = "hub-per-address";

    private readonly AddressLimitOptions _options;
    private readonly PartitionedRateLimiter<string> _rejoins;
    private readonly PartitionedRateLimiter<string> _knocks;
    private readonly PartitionedRateLimiter<string> _addressKnocks;
    private volatile Shared _shared;

    /// <summary>The call and join limiters for one count of live instances (partitioned by address alone: every hub
    /// call passes here, so no key is built per call).</summary>
    private sealed class Shared(int instances, AddressLimitOptions o) : IDisposable
    {
        public int Instances { get; } = instances;
        public PartitionedRateLimiter<string> Calls { get; } = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => Bucket(Share(o.CallBurst, instances), Share(o.CallsPerSecond, instances), TimeSpan.FromSeconds(1))));
        public PartitionedRateLimiter<string> Joins { get; } = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => Bucket(Share(o.JoinBurst, instances), Share(o.JoinsPerMinute, instances), TimeSpan.FromMinutes(1))));

        public void Dispose()
        {
            Calls.Dispose();
            Joins.Dispose();
        }
    }

    public AddressLimits(IOptions<AddressLimitOptions> options, IOptions<SignalingOptions> signaling)
    {
        _options = options.Value;
        var s = signaling.Value;
        _rejoins = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key,
            _ => Bucket(s.RejoinBurst, s.RejoinsPerMinute, TimeSpan.FromMinutes(1))));
        _shared = new Shared(1, _options);
        _knocks = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key,
            _ => Bucket(s.KnockBurst, s.KnocksPerMinute, TimeSpan.FromMinutes(1))));
        _addressKnocks = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key,
            _ => Bucket(s.KnockBurst * 5, s.KnocksPerMinute * 5, TimeSpan.FromMinutes(1))));
    }

    /// <summary>How many instances serve the hub now (1 without a cluster).</summary>
    public int LiveInstances => _shared.Instances;

    /// <summary>The cluster's heartbeat tells how many instances are alive. A new count starts every address on its
    /// new share (a rare event: an instance started or stopped).</summary>
    public void SetLiveInstances(int count)
    {
        count = Math.Max(1, count);
        var old = _shared;
        if (old.Instances == count) return;
        _shared = new Shared(count, _options);
        // Calls under way may still hold the old limiters for a moment.
        _ = Task.Delay(TimeSpan.FromSeconds(10)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
    }

    /// <summary>One instance's share of a per-address limit: at least 1, rounded up.</summary>
    public static int Share(int limit, int instances) => Math.Max(1, (limit + Math.Max(1, instances) - 1) / Math.Max(1, instances));

    /// <summary>Takes one hub call (and, for JoinRoom, one join) from the caller's address; false: refuse it.</summary>
    public bool TryCall(string address, bool isJoin)
    {
        var shared = _shared;
        using var call = shared.Calls.AttemptAcquire(address);
        if (!call.IsAcquired) return false;
        if (!isJoin) return true;
        using var join = shared.Joins.AttemptAcquire(address);
        return join.IsAcquired;
    }

    /// <summary>Takes one join of <paramref name="roomId"/> by <paramref name="who"/> (a browser, or an address).</summary>
    public bool TryRejoin(string roomId, string who)
    {
        using var lease = _rejoins.AttemptAcquire(roomId + " " + who);
        return lease.IsAcquired;
    }

    /// <summary>Takes one knock on <paramref name="roomId"/>'s lobby from the browser's allowance and from its
    /// address's (a few browsers' worth: an office shares one address): each knock rings at the host's.</summary>
    public bool TryKnock(string roomId, string? browser, string address)
    {
        if (browser is not null)
        {
            using var byBrowser = _knocks.AttemptAcquire($"{roomId} {browser}");
            if (!byBrowser.IsAcquired) return false;
        }
        using var byAddress = _addressKnocks.AttemptAcquire($"{roomId} {address}");
        return byAddress.IsAcquired;
    }

    public static string AddressOf(HttpContext? http) => http?.Connection.RemoteIpAddress is { } ip ? Normalise(ip) : "unknown";

    /// <summary>IPv4 seen as IPv6 counts as the IPv4 address; an IPv6 client counts by its /64 (one home or office
    /// network gets a whole /64, so one address per machine would let it multiply itself).</summary>
    private static string Normalise(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, int perPeriod, TimeSpan period) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = Math.Max(1, perPeriod),
        ReplenishmentPeriod = period,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>The HTTP side, on the hub's endpoints: negotiate draws from a bucket per address; a transport request
    /// (the WebSocket, for its whole life) holds one of the address's connection permits.</summary>
    public static void AddHubPolicy(RateLimiterOptions limiter, AddressLimitOptions o)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.AddPolicy(HubPolicy, http =>
        {
            var address = AddressOf(http);
            var instances = http.RequestServices.GetRequiredService<AddressLimits>().LiveInstances;
            return http.Request.Path.Value?.EndsWith("/negotiate", StringComparison.Ordinal) == true
                ? RateLimitPartition.GetTokenBucketLimiter($"negotiate {address} {instances}",
                    _ => Bucket(Share(o.NegotiateBurst, instances), Share(o.NegotiatesPerMinute, instances), TimeSpan.FromMinutes(1)))
                : RateLimitPartition.GetConcurrencyLimiter($"connections {address} {instances}",
                    _ => new ConcurrencyLimiterOptions { PermitLimit = Share(o.Connections, instances), QueueLimit = 0 });
        });
    }

    public void Dispose()
    {
        _shared.Dispose();
        _rejoins.Dispose();
        _knocks.Dispose();
        _addressKnocks.Dispose();
    }
}
