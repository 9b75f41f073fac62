using System.Diagnostics;
using System.Net;
using MeshMeet.Tests.Support;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace MeshMeet.Tests.Deploy;

/// <summary>
/// What an operator runs as shipped (deploy/compose.yaml, deploy/meshmeet.service, deploy/nginx.conf, scripts/run):
/// checked for what makes it safe. No container runtime here, so the compose file is read as compose reads it
/// (merge keys included).
/// </summary>
public sealed class ShippedFilesTests
{
    private static readonly string Root = ServerProcess.RepoRoot();

    private static Dictionary<object, object> Compose()
    {
        using var reader = new StreamReader(Path.Combine(Root, "deploy", "compose.yaml"));
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
    }

    private static Dictionary<object, object> Map(object node, params string[] path) =>
        path.Aggregate((Dictionary<object, object>)node, (map, key) => (Dictionary<object, object>)map[key]);

    private static Dictionary<object, object> Service(string name) => Map(Compose(), "services", name);

    private static List<string> Strings(Dictionary<object, object> map, string key) =>
        map.TryGetValue(key, out var value) ? value switch
        {
            List<object> list => list.Select(v => v is Dictionary<object, object> ? "" : v.ToString()!).ToList(),
            Dictionary<object, object> keyed => keyed.Keys.Select(k => k.ToString()!).ToList(),
            _ => [value.ToString()!],
        } : [];

    private static readonly string[] Services = ["postgres", "redis", "meshmeet-a", "meshmeet-b", "nginx", "coturn"];

    [Fact]
    public void Every_container_is_read_only_without_capabilities_and_cannot_gain_privileges()
    {
        Assert.Equal(Services.Order(), Map(Compose(), "services").Keys.Select(k => k.ToString()!).Order());
        foreach (var name in Services)
        {
            var service = Service(name);
            Assert.True(service["read_only"] is "true", $"{name} is not read_only");
            Assert.Equal(["ALL"], Strings(service, "cap_drop"));
            Assert.Contains("no-new-privileges:true", Strings(service, "security_opt"));
        }
    }

    [Fact]
    public void Postgres_and_redis_sit_on_an_internal_network_that_only_the_instances_share()
    {
        Assert.Equal("true", Map(Compose(), "networks", "backend")["internal"]);
        Assert.Equal(["backend"], Strings(Service("postgres"), "networks"));
        Assert.Equal(["backend"], Strings(Service("redis"), "networks"));
        Assert.Equal(["edge"], Strings(Service("nginx"), "networks"));
        Assert.Equal(["edge", "backend"], Strings(Service("meshmeet-a"), "networks"));
    }

    [Fact]
    public void Instances_believe_forwarded_headers_from_nginx_alone_and_connect_with_passwords_as_a_non_superuser()
    {
        var nginx = (string)Map(Service("nginx"), "networks", "edge")["ipv4_address"];
        foreach (var name in new[] { "meshmeet-a", "meshmeet-b" })
        {
            var environment = Map(Service(name), "environment");
            Assert.Equal(nginx, environment["Proxy__KnownProxies__0"]);
            Assert.DoesNotContain(environment.Keys, k => k.ToString()!.StartsWith("Proxy__KnownNetworks"));
            Assert.Contains("Username=meshmeet;", (string)environment["ConnectionStrings__MeshMeet"]);
            Assert.Contains(",password=${REDIS_PASSWORD", (string)environment["ConnectionStrings__Redis"]);
            Assert.StartsWith("${CLUSTER_SECRET:?", (string)environment["Cluster__Secret"]);
            Assert.Equal("/run/secrets/dataprotection_pfx", environment["DataProtection__CertificatePath"]);
        }
        // The superuser stays "postgres"; the app's role comes from the init script, without superuser rights.
        Assert.DoesNotContain("POSTGRES_USER", Map(Service("postgres"), "environment").Keys);
        Assert.Contains(Strings(Service("postgres"), "volumes"), v => v.StartsWith("./postgres-init.sh:/docker-entrypoint-initdb.d/"));
        Assert.Contains("NOSUPERUSER", File.ReadAllText(Path.Combine(Root, "deploy", "postgres-init.sh")));
        var redis = string.Join(" ", Strings(Service("redis"), "command"));
        Assert.Contains("requirepass", redis);
        Assert.Contains("umask 077", redis);
    }

    [Fact]
    public void Coturn_runs_the_shipped_configuration_with_its_secret_in_a_file_and_denies_this_host()
    {
        var coturn = Service("coturn");
        Assert.Contains("./turnserver.conf:/etc/meshmeet/turnserver.conf:ro", Strings(coturn, "volumes"));
        var command = string.Join(" ", Strings(coturn, "command"));
        Assert.Contains("umask 077", command);
        Assert.Contains("cat /etc/meshmeet/turnserver.conf", command);
        Assert.Contains("denied-peer-ip=%s", command);
        Assert.Contains("exec turnserver -c /tmp/turnserver.conf", command);
        Assert.DoesNotContain("--static-auth-secret", command);
        Assert.StartsWith("${TURN_EXTERNAL_IP:?", (string)Map(coturn, "environment")["TURN_EXTERNAL_IP"]);

        var shipped = File.ReadAllLines(Path.Combine(Root, "deploy", "turnserver.conf"));
        foreach (var line in new[] { "use-auth-secret", "no-tcp-relay", "no-multicast-peers", "no-cli", "denied-peer-ip=::1",
                     "denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "denied-peer-ip=::ffff:0.0.0.0-::ffff:255.255.255.255" })
            Assert.Contains(line, shipped);
        Assert.Contains(shipped, l => l.StartsWith("user-quota="));
        Assert.Contains(shipped, l => l.StartsWith("total-quota="));
        Assert.Contains(shipped, l => l.StartsWith("max-bps="));
        Assert.DoesNotContain(shipped, l => l.StartsWith("static-auth-secret") || l.StartsWith("allow-loopback-peers"));
    }

    [Theory]
    [InlineData("deploy/.env")]
    [InlineData("deploy/meshmeet.env")]
    [InlineData("deploy/certs/privkey.pem")]
    [InlineData("deploy/secrets/dataprotection.pfx")]
    public void Operators_secrets_beside_the_deploy_files_stay_out_of_git_and_the_image(string path)
    {
        Assert.Equal(0, Run("git", "check-ignore", "-q", path).ExitCode);
        var dockerIgnore = File.ReadAllLines(Path.Combine(Root, ".dockerignore"));
        Assert.Contains(dockerIgnore, line => path == line || path.StartsWith(line + "/"));
    }

    [Fact]
    public void The_systemd_unit_is_rated_ok_or_better()
    {
        var (exit, output) = Run("systemd-analyze", "security", "--offline=yes", Path.Combine(Root, "deploy", "meshmeet.service"));
        Assert.True(exit == 0, output);
        var overall = output.Split('\n').Single(l => l.Contains("Overall exposure level"));
        Assert.Matches(@": \d\.\d (OK|SAFE)", overall);
    }

    [Fact]
    public void Scripts_run_public_refuses_to_serve_the_internet_as_root()
    {
        if (Environment.UserName != "root") return; // as anyone else it would start the app
        var (exit, output) = Run("bash", "scripts/run", "--public", "meet.example.org");
        Assert.Equal(2, exit);
        Assert.Contains("will not do it as root", output);
    }

    [Fact]
    public async Task Nginx_logs_requests_without_their_query_strings_so_no_access_token_lands_in_a_log()
    {
        var dir = Directory.CreateTempSubdirectory("meshmeet-nginx-").FullName;
        try
        {
            await using (var nginx = await ServerProcess.NginxAsync(dir, [$"127.0.0.1:{ServerProcess.FreePort()}"]))
            {
                using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
                var response = await http.GetAsync($"https://127.0.0.1:{nginx.Port}/hubs/signaling?id=abc&access_token=SECRET-TOKEN-123");
                Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode); // no instance behind it; logged all the same
            }
            var log = await File.ReadAllTextAsync($"{dir}/nginx/logs/access.log");
            Assert.Contains("GET /hubs/signaling HTTP/1.1", log);
            Assert.DoesNotContain("SECRET-TOKEN-123", log);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors.Result);
    }
}
