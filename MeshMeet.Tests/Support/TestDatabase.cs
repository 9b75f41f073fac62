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

    public static async Task<string> CreateAsync()
    {
        var name = $"meshmeet_test_{Guid.NewGuid():N}";
        await using var source = NpgsqlDataSource.Create(Server + ";Database=postgres");
        // Test processes create databases in parallel: the role is made once, whoever comes first.
        await using (var role = source.CreateCommand($"""
            DO $$ BEGIN
              CREATE ROLE {AppRole} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """))
            await role.ExecuteNonQueryAsync();
        await using var command = source.CreateCommand($"CREATE DATABASE {name} OWNER {AppRole}");
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Server) { Database = name, Username = AppRole }.ConnectionString;
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
