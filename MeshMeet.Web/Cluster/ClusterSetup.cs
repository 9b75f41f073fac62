using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace MeshMeet.Web.Cluster;

/// <summary>
/// What lets several instances serve the same database: an id and heartbeat per instance, notices between them and the
/// SignalR backplane over Redis (only when ConnectionStrings:Redis is set), and Data Protection keys in PostgreSQL so
/// that a cookie or antiforgery token from one instance is valid on every other.
/// </summary>
public static class ClusterSetup
{
    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<ClusterOptions>(config.GetSection("Cluster"));
        services.AddSingleton<InstanceIdentity>();
        services.AddSingleton<InstanceBus>();
        services.AddHostedService(sp => sp.GetRequiredService<InstanceBus>());
        services.AddHostedService<InstanceHeartbeat>();
        // One application name: the default is the content root path, which may differ between instances.
        services.AddDataProtection().SetApplicationName("MeshMeet").PersistKeysToDbContext<MeshMeetDb>();
        // The keys sit unencrypted in the app's own database, beside the accounts and rooms they protect; anyone who
        // can read that database has all of it anyway. Said in the README, not warned about on every start.
        services.AddLogging(l => l.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error));
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return services;
    }

    /// <summary>The SignalR backplane: group and client sends reach connections on every instance.</summary>
    public static ISignalRServerBuilder AddBackplane(this ISignalRServerBuilder signalR, IConfiguration config)
    {
        if (config.GetConnectionString("Redis") is not { Length: > 0 } redis) return signalR;
        return signalR.AddStackExchangeRedis(redis, o =>
        {
            o.Configuration.ChannelPrefix = RedisChannel.Literal("meshmeet:hub");
            o.Configuration.AbortOnConnectFail = false;
        });
    }
}

/// <summary>Ready only when Redis answers, if it is configured.</summary>
internal sealed class RedisHealthCheck(InstanceBus bus) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (bus.Redis is not { } redis) return HealthCheckResult.Healthy("Redis is not configured (one instance).");
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(3), ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer.", e);
        }
    }
}
