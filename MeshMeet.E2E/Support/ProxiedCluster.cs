using MeshMeet.Tests.Support;
using Npgsql;

namespace MeshMeet.E2E.Support;

/// <summary>
/// What <c>scripts/run --cluster</c> starts, for one test: two MeshMeet processes ("a" and "b") on one database and one
/// Redis, and (unless asked not to) nginx in front of them over TLS with deploy/nginx.conf. Processes, so a test can
/// kill -9 one of them.
/// </summary>
public sealed class ProxiedCluster : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshmeet-cluster-").FullName;

    public ServerProcess Redis { get; private set; } = null!;
    public ServerProcess? Nginx { get; private set; }
    public AppProcess A { get; private set; } = null!;
    public AppProcess B { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";
    public string BaseUrl => $"https://127.0.0.1:{Nginx!.Port}";

    /// <param name="shipped">The shipped timings (heartbeat, instance timeout, reconnect grace, restart grace) instead
    /// of the short ones that let a test see a dead instance's seats expire quickly.</param>
    public static async Task<ProxiedCluster> StartAsync(Action<string> log, bool withNginx = true, bool shipped = false)
    {
        var cluster = new ProxiedCluster();
        cluster.Redis = await ServerProcess.RedisAsync();
        cluster.ConnectionString = await TestDatabase.CreateAsync();
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        Dictionary<string, string> Settings(string name)
        {
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = cluster.Redis.RedisConnectionString,
                ["Cluster__Secret"] = "e2e-cluster-secret-of-at-least-32-characters",
                ["Cluster__InstanceName"] = name,
            };
            if (!shipped) foreach (var (setting, value) in ShortTimings) settings[setting] = value;
            return settings;
        }
        var a = AppProcess.StartAsync(log, cluster.ConnectionString, key, Settings("a"));
        var b = AppProcess.StartAsync(log, cluster.ConnectionString, key, Settings("b"));
        (cluster.A, cluster.B) = (await a, await b);
        if (!withNginx) return cluster;

        cluster.Nginx = await ServerProcess.NginxAsync(cluster._dir, [$"127.0.0.1:{cluster.A.Port}", $"127.0.0.1:{cluster.B.Port}"], log);
        return cluster;
    }

    /// <summary>Quick to notice a dead instance and to end a seat nobody resumes, so a test need not wait long.</summary>
    private static readonly Dictionary<string, string> ShortTimings = new()
    {
        ["Cluster__HeartbeatSeconds"] = "1",
        ["Cluster__InstanceTimeoutSeconds"] = "5",
        ["Signaling__ReconnectGraceSeconds"] = "3",
        ["Signaling__RestartGraceSeconds"] = "0",
    };

    /// <summary>Which instance holds each participant's connection ("a-…", "b-…"; null while in the grace period).</summary>
    public async Task<Dictionary<string, string?>> HoldersAsync(string roomId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT p."Id", p."InstanceId" FROM participants p JOIN rooms r ON r."Id" = p."RoomId" WHERE r."PublicId" = @room
            """, connection);
        query.Parameters.AddWithValue("room", roomId);
        var holders = new Dictionary<string, string?>();
        await using var rows = await query.ExecuteReaderAsync();
        while (await rows.ReadAsync()) holders[rows.GetString(0)] = rows.IsDBNull(1) ? null : rows.GetString(1);
        return holders;
    }

    /// <summary>What nginx logged (its access log and errors), for a test that failed to say what the proxy did.</summary>
    public string NginxLog => string.Join("\n", new[] { "access.log", "error.log" }
        .Select(name => Path.Combine(_dir, "nginx", "logs", name)).Where(File.Exists).Select(File.ReadAllText));

    /// <summary>The instance process whose id starts with that name.</summary>
    public AppProcess Named(string instanceId) => instanceId.StartsWith("a-") ? A : B;

    public async ValueTask DisposeAsync()
    {
        if (Nginx is not null) await Nginx.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Redis.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
