using Microsoft.EntityFrameworkCore;
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

        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddDbContext<MeshMeetDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(TimeProvider.System);
        // Migrations and the admin account before anything else starts (hosted services run in order).
        services.AddHostedService<StartupTasks>();
        return services;
    }
}
