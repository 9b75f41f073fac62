using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;

namespace MeshMeet.Tests.Support;

/// <summary>
/// Two MeshMeet instances on one database and one Redis (backplane and notices), as behind a load balancer, started
/// together on a new database so that they race for migrations and the first Data Protection key.
/// </summary>
public sealed class TwoInstances : IAsyncLifetime
{
    /// <summary>Every test cluster's notices are signed with this.</summary>
    public const string ClusterSecret = "test-cluster-secret-of-at-least-32-characters";

    public ServerProcess Redis { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";
    public Instance A { get; private set; } = null!;
    public Instance B { get; private set; } = null!;
    private readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public async Task InitializeAsync()
    {
        Redis = await ServerProcess.RedisAsync();
        ConnectionString = await TestDatabase.CreateAsync();
        A = Another();
        B = Another();
        await Task.WhenAll(Task.Run(A.InitializeAsync), Task.Run(B.InitializeAsync));
    }

    /// <summary>One more instance of the same cluster (start it with InitializeAsync).</summary>
    public Instance Another(TimeProvider? clock = null) => new(ConnectionString, _signingKey, Redis.RedisConnectionString) { Clock = clock };

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)A).DisposeAsync();
        await ((IAsyncLifetime)B).DisposeAsync();
        await Redis.DisposeAsync();
    }

    public sealed class Instance(string database, string signingKey, string redis) : MeshMeetApp
    {
        /// <summary>The name its Redis connections give themselves (CLIENT LIST shows it), so a test can cut them.</summary>
        public string RedisClientName { get; } = "meshmeet-" + Guid.NewGuid().ToString("N")[..8];

        /// <summary>This instance's own clock (say, one that runs ahead of the others').</summary>
        public TimeProvider? Clock { get; init; }

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (Clock is { } clock) builder.ConfigureServices(s => s.AddSingleton(clock));
        }

        protected override Task<string> DatabaseAsync() => Task.FromResult(database);
        protected override string JwtSigningKey => signingKey;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = $"{redis},name={RedisClientName}",
            ["Cluster:Secret"] = ClusterSecret,
            // Quick to notice a dead instance, so tests need not wait long.
            ["Cluster:HeartbeatSeconds"] = "1",
            ["Cluster:InstanceTimeoutSeconds"] = "5",
        };
    }
}
