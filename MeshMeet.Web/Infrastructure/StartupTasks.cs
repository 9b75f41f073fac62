using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MeshMeet.Web.Infrastructure;

/// <summary>Work a feature needs done once the schema is up to date and before the app serves anyone (the admin
/// account, say). Registered by the feature that needs it; run in registration order, in a scope of its own.</summary>
public interface IStartupStep
{
    Task RunAsync(CancellationToken ct);
}

/// <summary>Brings the schema up to date, runs the features' <see cref="IStartupStep"/>s and makes sure a Data
/// Protection key exists, before the app serves anyone. Instances starting together take turns (a PostgreSQL advisory
/// lock): one migrates and makes the first key, the others then find both done.</summary>
internal sealed class StartupTasks(IServiceProvider services, NpgsqlDataSource dataSource) : IHostedService
{
    // Any fixed number: every MeshMeet instance of one database must use the same.
    private const long StartupLock = 0x4D6573684D656574; // "MeshMeet"

    public async Task StartAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await Execute(connection, $"SELECT pg_advisory_lock({StartupLock})", ct);
        try
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<MeshMeetDb>().Database.MigrateAsync(ct);
            foreach (var step in scope.ServiceProvider.GetServices<IStartupStep>()) await step.RunAsync(ct);
            // Creates the key ring's first key now, under the lock, rather than on two instances' first requests.
            scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector("MeshMeet.Startup").Protect([1]);
        }
        finally
        {
            await Execute(connection, $"SELECT pg_advisory_unlock({StartupLock})", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
