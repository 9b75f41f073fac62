using System.Security.Cryptography.X509Certificates;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
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
        services.AddOptions<ClusterOptions>().Bind(config.GetSection("Cluster")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidation>();
        services.AddSingleton<RedisLink>();
        services.AddSingleton<InstanceBus>();
        services.AddSingleton<IInstanceNotices>(sp => sp.GetRequiredService<InstanceBus>());
        services.AddSignalR().AddBackplane(config);
        // One Redis connection for the backplane and the notices: losing it is one event (InstanceBus), and nothing
        // sent while it is away waits in a backlog to be delivered later.
        services.AddOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>().Configure<RedisLink>((o, link) =>
            o.ConnectionFactory = async _ => await link.ConnectAsync());
        services.AddHostedService(sp => sp.GetRequiredService<InstanceBus>());
        services.AddHostedService<InstanceHeartbeat>();
        // One application name: the default is the content root path, which may differ between instances.
        var keys = services.AddDataProtection().SetApplicationName("MeshMeet").PersistKeysToDbContext<MeshMeetDb>();
        if (DataProtectionCertificates.Load(config) is { } certificates)
        {
            // The key ring in the database is encrypted to a certificate kept outside it: someone who can read the
            // database (a backup, a read-only role) cannot make sign-in cookies. Older certificates still decrypt the
            // keys they encrypted, so a new certificate can be rolled in without signing everyone out.
            keys.ProtectKeysWithCertificate(certificates.Current).UnprotectKeysWithAnyCertificate([certificates.Current, .. certificates.Previous]);
        }
        else
        {
            // Without a certificate the keys sit unencrypted beside the accounts; the README says what that means.
            // Said there, not warned about on every start.
            services.AddLogging(l => l.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error));
        }
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"], timeout: HealthTimings.CheckTimeout);
        return services;
    }

    /// <summary>The SignalR backplane: group and client sends reach connections on every instance.</summary>
    private static ISignalRServerBuilder AddBackplane(this ISignalRServerBuilder signalR, IConfiguration config)
    {
        if (config.GetConnectionString("Redis") is not { Length: > 0 } redis) return signalR;
        // The backplane logs every lost Redis connection as an error with its stack trace; RedisLink reports it in
        // one line, as the expected outage it usually is (a restart, a failover).
        signalR.Services.AddLogging(l => l.AddFilter("Microsoft.AspNetCore.SignalR.StackExchangeRedis", LogLevel.Critical));
        return signalR.AddStackExchangeRedis(redis, o =>
        {
            o.Configuration.ChannelPrefix = RedisChannel.Literal("meshmeet:hub");
            o.Configuration.AbortOnConnectFail = false;
        });
    }
}

/// <summary>Configuration "DataProtection": <c>CertificatePath</c> (PKCS#12 with its private key, or PEM with
/// <c>CertificateKeyPath</c>) and its <c>CertificatePassword</c>; <c>PreviousCertificatePaths</c> for rotation.</summary>
internal sealed record DataProtectionCertificates(X509Certificate2 Current, X509Certificate2[] Previous)
{
    public static DataProtectionCertificates? Load(IConfiguration config)
    {
        var section = config.GetSection("DataProtection");
        if (section["CertificatePath"] is not { Length: > 0 } path) return null;
        var password = section["CertificatePassword"];
        return new(Open(path, section["CertificateKeyPath"], password),
            [.. (section.GetSection("PreviousCertificatePaths").Get<string[]>() ?? []).Select(p => Open(p, null, password))]);
    }

    private static X509Certificate2 Open(string path, string? keyPath, string? password) =>
        keyPath is { Length: > 0 } ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
}

/// <summary>Ready only when Redis answers, if it is configured, and this instance is in standing (not frozen past its
/// lease, not catching up after losing Redis): a proxy or orchestrator then sends nobody here. Answers within
/// <see cref="HealthTimings.CheckTimeout"/>: a Redis that is away fails at once (no backlog), one that hangs times out.</summary>
internal sealed class RedisHealthCheck(RedisLink link, InstanceStanding standing) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!link.Clustered) return HealthCheckResult.Healthy("Redis is not configured (one instance).");
        try
        {
            if (link.Redis is not { IsConnected: true } redis) return HealthCheckResult.Unhealthy("Redis is not connected.");
            await redis.GetDatabase().PingAsync().WaitAsync(HealthTimings.CheckTimeout, ct);
            return standing.Problem is { } problem ? HealthCheckResult.Unhealthy($"This instance is out of standing: {problem}.") : HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Redis does not answer: {e.Message}");
        }
    }
}
