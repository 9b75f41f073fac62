using Npgsql;

namespace MeshMeet.Tests.Support;

/// <summary>
/// A fresh database per app instance on the throwaway PostgreSQL cluster that scripts/test starts
/// (MESHMEET_TEST_PG holds its connection string without a database name).
/// </summary>
public static class TestDatabase
{
    public static string Server =>
        Environment.GetEnvironmentVariable("MESHMEET_TEST_PG")
        ?? throw new InvalidOperationException("MESHMEET_TEST_PG is not set: run the tests through scripts/test, which starts PostgreSQL.");

    public static async Task<string> CreateAsync()
    {
        var name = $"meshmeet_test_{Guid.NewGuid():N}";
        await using var source = NpgsqlDataSource.Create(Server + ";Database=postgres");
        await using var command = source.CreateCommand($"CREATE DATABASE {name}");
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
    }

    /// <summary>Runs SQL as the superuser against the given database (test set-up such as failure triggers).</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var command = source.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T));
    }
}
