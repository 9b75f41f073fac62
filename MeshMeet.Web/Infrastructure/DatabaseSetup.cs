using Microsoft.EntityFrameworkCore;
using System.Text.RegularExpressions;
using Npgsql;

namespace MeshMeet.Web.Infrastructure;

public static class DatabaseSetup
{
    /// <summary>
    /// One NpgsqlDataSource shared by EF Core and Marten, so both can work inside the same transaction.
    /// </summary>
    public static IServiceCollection AddMeshMeetDatabase(this IServiceCollection services, IConfiguration config)
    {
        var connectionString = config.GetConnectionString("MeshMeet")
            ?? throw new InvalidOperationException(
                "ConnectionStrings:MeshMeet is not set. scripts/run sets it for the local cluster; " +
                "otherwise set the environment variable ConnectionStrings__MeshMeet.");

        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(WithDefaults(connectionString)).Build());
        // Pooled contexts: a hub call that needs the database does not build a DbContext from scratch.
        services.AddDbContextPool<MeshMeetDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(TimeProvider.System);
        // EF Core logs every failed command, query and connection as an error with its stack trace, and then throws.
        // Whoever called it handles the exception and says what it means, as an error only when it is one (a hub
        // method's fault, an unhandled request) and in one line when it is an expected outage (a database restart):
        // EF's copy would page an operator for every query of a restart, and the first start's probe for the missing
        // migrations table would greet every new operator with one.
        services.AddLogging(l =>
        {
            foreach (var category in new[] { "Microsoft.EntityFrameworkCore.Database", "Microsoft.EntityFrameworkCore.Query", "Microsoft.EntityFrameworkCore.Update" })
                l.AddFilter(category, LogLevel.Critical);
        });
        services.AddSingleton<InstanceIdentity>();
        // Migrations and the admin account before anything else starts (hosted services run in order).
        services.AddHostedService<StartupTasks>();
        return services;
    }

    /// <summary>How long PostgreSQL lets a transaction of ours sit idle before ending it (see WithDefaults).</summary>
    internal static readonly TimeSpan IdleTransactionTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Few connections, kept busy, with their statements prepared. Measured with a burst of 300 joins on one core:
    /// every extra backend costs PostgreSQL its warm-up (catalog caches, Marten's plpgsql append function compiled per
    /// backend), so 100 connections took three times the database CPU of 8-16 for the same work; automatic preparation
    /// then halved what was left (parse and plan once per connection). Joins of one room queue in memory and commit together (JoinQueue),
    /// so a small pool is not a bottleneck. Settings in the connection string win.
    /// </summary>
    internal static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Regex.IsMatch(connectionString, @"max(imum)?\s*pool\s*size", RegexOptions.IgnoreCase))
            builder.MaxPoolSize = Math.Max(10, 4 * Environment.ProcessorCount);
        if (!Regex.IsMatch(connectionString, @"max\s*auto\s*prepare", RegexOptions.IgnoreCase))
            builder.MaxAutoPrepare = 50;
        // No transaction here waits on anything but the database (notices go out after the commit), so one that sits
        // idle belongs to an instance that froze or was cut off in the middle of it: PostgreSQL ends it after 5 s, and
        // the room row it locked no longer stops every other instance's joins and departures in that room.
        if (!Regex.IsMatch(connectionString, "idle_in_transaction_session_timeout", RegexOptions.IgnoreCase))
            builder.Options = $"{builder.Options} -c idle_in_transaction_session_timeout={IdleTransactionTimeout.TotalMilliseconds}".Trim();
        return builder.ConnectionString;
    }
}
