using Marten;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MeshMeet.Tests.Support;

/// <summary>
/// A fresh database per app instance on the throwaway PostgreSQL cluster that scripts/test starts
/// (MESHMEET_TEST_PG holds its superuser connection string without a database name). The app connects as
/// <see cref="AppRole"/>, which owns the database and is not a superuser, as it does under scripts/run: every test
/// also checks that the app needs no more than that.
/// </summary>
public static class TestDatabase
{
    public static string Server =>
        Environment.GetEnvironmentVariable("MESHMEET_TEST_PG")
        ?? throw new InvalidOperationException("MESHMEET_TEST_PG is not set: run the tests through scripts/test, which starts PostgreSQL.");

    public const string AppRole = "meshmeet_app";

    /// <summary>A new database with the app's schema in it, as the app would have migrated it (the app's start-up
    /// then finds nothing to do).</summary>
    public static async Task<string> CreateAsync()
    {
        var name = $"meshmeet_test_{Guid.NewGuid():N}";
        await using var source = NpgsqlDataSource.Create(Server + ";Database=postgres");
        await EnsureTemplateAsync(source);
        await using var command = source.CreateCommand($"CREATE DATABASE {name} TEMPLATE {Template} OWNER {AppRole}");
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Server) { Database = name, Username = AppRole }.ConnectionString;
    }

    /// <summary>Migrated once per cluster (scripts/test starts a fresh one) as the app's role, then copied for every
    /// app: a copy is a file copy, where each app used to run every EF migration and Marten's schema check itself.</summary>
    private const string Template = "meshmeet_test_template";

    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static bool _templateReady;

    private static async Task EnsureTemplateAsync(NpgsqlDataSource source)
    {
        if (Volatile.Read(ref _templateReady)) return;
        await TemplateGate.WaitAsync();
        try
        {
            if (_templateReady) return;
            await using var connection = await source.OpenConnectionAsync();
            // Another test process may be making it: one makes it, the other waits here and finds it made.
            await ExecuteAsync(connection, "SELECT pg_advisory_lock(7317)");
            try
            {
                await ExecuteAsync(connection, $"""
                    DO $$ BEGIN
                      CREATE ROLE {AppRole} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END $$
                    """);
                await using var made = new NpgsqlCommand($"SELECT count(*) FROM pg_database WHERE datname = '{Template}' AND datistemplate", connection);
                if ((long)(await made.ExecuteScalarAsync())! == 0) await MakeTemplateAsync(connection);
            }
            finally
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(7317)");
            }
            Volatile.Write(ref _templateReady, true);
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static async Task MakeTemplateAsync(NpgsqlConnection connection)
    {
        await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {Template}"); // one a failed run left half made
        await ExecuteAsync(connection, $"CREATE DATABASE {Template} OWNER {AppRole}");
        // Unpooled: a database is copied only when nobody is connected to it.
        var template = new NpgsqlConnectionStringBuilder(Server) { Database = Template, Username = AppRole, Pooling = false }.ConnectionString;
        // Identity's part of the model depends on its options (the schema version AddDefaultIdentity picks), which the
        // context reads from the app's services: the same call gives it the same ones.
        var services = new ServiceCollection().AddLogging();
        services.AddDefaultIdentity<IdentityUser>();
        await using (var identity = services.BuildServiceProvider())
        await using (var db = new MeshMeetDb(new DbContextOptionsBuilder<MeshMeetDb>().UseNpgsql(template).UseApplicationServiceProvider(identity).Options))
            await db.Database.MigrateAsync();
        await using (var store = DocumentStore.For(o =>
                     {
                         o.Connection(template);
                         AuditSetup.Configure(o);
                     }))
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await ExecuteAsync(connection, $"ALTER DATABASE {Template} IS_TEMPLATE true");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The same database, as the cluster's superuser (test set-up: taking the database away, and so on).</summary>
    public static string AsSuperuser(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = new NpgsqlConnectionStringBuilder(Server).Username }.ConnectionString;

    /// <summary>Runs SQL as the superuser against the given database (test set-up such as failure triggers).</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var source = NpgsqlDataSource.Create(AsSuperuser(connectionString));
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var source = NpgsqlDataSource.Create(AsSuperuser(connectionString));
        await using var command = source.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T));
    }
}
