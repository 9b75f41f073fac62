using MeshMeet.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Cluster;

/// <summary>
/// One running app instance, as the others see it: alive while its heartbeat is fresh. A participant's seat names the
/// instance that holds its connection, so an instance that restarts or dies releases only its own seats.
/// </summary>
public sealed class ServerInstance
{
    public required string Id { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset HeartbeatAt { get; set; }
    /// <summary>Open hub connections at the last heartbeat (the admin overview shows them).</summary>
    public int Connections { get; set; }
    /// <summary>Signals relayed per second since the heartbeat before.</summary>
    public double SignalsPerSecond { get; set; }
}

public static class ServerInstanceData
{
    extension(MeshMeetDb db)
    {
        /// <summary>The app instances sharing this database, by their heartbeats.</summary>
        public DbSet<ServerInstance> Instances => db.Set<ServerInstance>();
    }
}

internal sealed class ServerInstanceConfiguration : IEntityTypeConfiguration<ServerInstance>
{
    public void Configure(EntityTypeBuilder<ServerInstance> b)
    {
        b.ToTable("instances");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(32);
    }
}

/// <summary>Configuration section "Cluster".</summary>
public sealed class ClusterOptions
{
    /// <summary>How often this instance tells the others it is alive.</summary>
    public int HeartbeatSeconds { get; set; } = 3;
    /// <summary>An instance silent for this long is dead: its seats start their reconnect grace period (its people
    /// resume on another instance, or leave when it runs out).</summary>
    public int InstanceTimeoutSeconds { get; set; } = 12;
    /// <summary>How long a kick or end keeps sending its revocation (every half second) until the instance holding the
    /// connection confirms it stopped relaying.</summary>
    public int RevokeTimeoutMilliseconds { get; set; } = 4000;
    /// <summary>Signs the notices instances send each other over Redis; the same on every instance, at least 32
    /// characters. Required with ConnectionStrings:Redis.</summary>
    public string? Secret { get; set; }

    public const int MinSecretLength = 32;

    /// <summary>Why these settings cannot run a cluster safely, or null.</summary>
    public static string? Problem(ClusterOptions options, string? redis) =>
        string.IsNullOrEmpty(redis) || options.Secret?.Length >= MinSecretLength ? null
            : $"ConnectionStrings:Redis is set, so Cluster:Secret must be too: the same random string of at least {MinSecretLength} characters on every instance (it signs what instances tell each other over Redis).";
}

internal sealed class ClusterOptionsValidation(IConfiguration config) : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options) =>
        ClusterOptions.Problem(options, config.GetConnectionString("Redis")) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
}
