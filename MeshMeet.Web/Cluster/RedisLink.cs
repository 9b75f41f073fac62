using MeshMeet.Web.Signaling;
using StackExchange.Redis;

namespace MeshMeet.Web.Cluster;

/// <summary>
/// This instance's one connection to Redis (ConnectionStrings:Redis), shared by the SignalR backplane and the
/// instances' notices (<see cref="InstanceBus"/>), so that losing it is one event. While it is lost the instance is
/// out of standing (<see cref="InstanceStanding"/>), and nothing waits in a backlog to be sent when it is back (fail
/// fast): a relay is delivered now or refused, never delivered later when it may no longer be allowed.
/// </summary>
public sealed partial class RedisLink(IConfiguration config, InstanceStanding standing, ILogger<RedisLink> log) : IAsyncDisposable
{
    private readonly string? _configuration = config.GetConnectionString("Redis") is { Length: > 0 } redis ? redis : null;
    private readonly Lock _connectLock = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private int _down;

    /// <summary>Several instances share the database (Redis is configured).</summary>
    public bool Clustered => _configuration is not null;

    /// <summary>The connection, once made.</summary>
    public IConnectionMultiplexer? Redis => _connecting is { IsCompletedSuccessfully: true } c ? c.Result : null;

    /// <summary>Both of its connections (commands and subscriptions) are up; always true with one instance.</summary>
    public bool Up => !Clustered || Redis is { IsConnected: true } redis && redis.GetSubscriber().IsConnected();

    /// <summary>The connection, made on first use.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync()
    {
        lock (_connectLock) return _connecting ??= ConnectCoreAsync();
    }

    private async Task<ConnectionMultiplexer> ConnectCoreAsync()
    {
        var options = ConfigurationOptions.Parse(_configuration ?? throw new InvalidOperationException("ConnectionStrings:Redis is not set."));
        options.AbortOnConnectFail = false; // Redis may start after us; the client keeps trying
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var redis = await ConnectionMultiplexer.ConnectAsync(options);
        redis.ConnectionFailed += (_, e) =>
        {
            standing.Suspend();
            if (Interlocked.Exchange(ref _down, 1) == 0) LogLost(e.ConnectionType, e.FailureType);
        };
        // Standing comes back once the sweeper has reconciled the seats (it waits for Up).
        redis.ConnectionRestored += (_, _) =>
        {
            if (Up && Interlocked.Exchange(ref _down, 0) == 1) LogBack();
        };
        return redis;
    }

    public async ValueTask DisposeAsync()
    {
        if (Redis is { } redis) await redis.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost Redis ({Connection} connection: {Failure}); relaying nothing until it is back and the seats here are checked against the database")]
    private partial void LogLost(ConnectionType connection, ConnectionFailureType failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back; checking the seats here against the database")]
    private partial void LogBack();
}
