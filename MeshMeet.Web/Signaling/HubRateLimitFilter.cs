using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// A token bucket per connection: trickle ICE and renegotiation fit easily, a flood from one client is refused
/// without touching the database. The bucket lives in the connection's Items, so it dies with the connection.
/// Behind it, the caller's address has its own allowance for all its connections together (<see cref="AddressLimits"/>),
/// so opening more sockets does not buy more calls, nor more joins.
/// </summary>
internal sealed class HubRateLimitFilter(IOptions<SignalingOptions> options, TimeProvider clock, AddressLimits addresses) : IHubFilter
{
    public const string TooMany = "Too many requests from this connection. Slow down and try again.";
    public const string TooManyFromAddress = "Too many requests from your network. Wait a minute and try again.";

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
        var bucket = (Bucket)(items.TryGetValue(typeof(Bucket), out var b) ? b! : items[typeof(Bucket)] = new Bucket(o.CallBurst, now));
        lock (bucket)
        {
            var refill = clock.GetElapsedTime(bucket.At, now).TotalSeconds * o.CallsPerSecond;
            bucket.Tokens = Math.Min(o.CallBurst, bucket.Tokens + refill);
            bucket.At = now;
            if (bucket.Tokens < 1) throw new HubException(TooMany);
            bucket.Tokens -= 1;
        }
        var address = (string)(items.TryGetValue(AddressKey, out var a) ? a! : items[AddressKey] = AddressLimits.AddressOf(context.Context.GetHttpContext()));
        if (!addresses.TryCall(address, context.HubMethodName == nameof(SignalingHub.JoinRoom))) throw new HubException(TooManyFromAddress);
        return await next(context);
    }

    private const string AddressKey = "meshmeet.address";
}
