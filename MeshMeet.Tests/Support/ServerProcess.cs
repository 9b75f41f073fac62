using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MeshMeet.Tests.Support;

/// <summary>
/// A server program the tests run on loopback (redis-server, nginx, turnserver, a MeshMeet instance): started as a
/// child process, ready once its port accepts connections, killed with the fixture. Its output is kept for failures.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private Process _process;
    private readonly StringBuilder _output = new();
    private readonly ProcessStartInfo _start;
    private readonly Action<string>? _log;

    public int Port { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;

    private ServerProcess(ProcessStartInfo start, int port, Action<string>? log)
    {
        (_start, Port, _log) = (start, port, log);
        _process = Launch();
    }

    public static async Task<ServerProcess> StartAsync(string file, IEnumerable<string> args, int port,
        IDictionary<string, string>? environment = null, string? workingDirectory = null, Action<string>? log = null)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var server = new ServerProcess(start, port, log);
        await server.WaitForPortAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    private Process Launch()
    {
        var process = Process.Start(_start) ?? throw new InvalidOperationException($"{_start.FileName} did not start");
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is not { Length: > 0 } line) return;
            lock (_output) _output.AppendLine(line);
            _log?.Invoke($"[{Path.GetFileName(_start.FileName)}:{Port}] {line}");
        };
        process.OutputDataReceived += keep;
        process.ErrorDataReceived += keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>kill -9, then the same program again on the same port (a Redis restart: nothing kept).</summary>
    public async Task RestartAsync()
    {
        Kill();
        _process.Dispose();
        _process = Launch();
        await WaitForPortAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGSTOP: the process keeps its sockets (connections are still accepted by the kernel) and answers
    /// nothing, as in a long GC pause, a stalled VM or a partition. <see cref="Thaw"/> lets it run on.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", $"{_process.Id}"]);
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {_process.Id} failed");
    }

    /// <summary>redis-server on loopback as scripts/run --cluster starts it (scripts/lib.sh): a password, nothing kept
    /// on disk.</summary>
    public static async Task<ServerProcess> RedisAsync()
    {
        var port = FreePort();
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var config = await ShellLib.RunAsync("local_redis_config", Directory.CreateTempSubdirectory("meshmeet-redis-").FullName, $"{port}", password);
        var redis = await StartAsync("redis-server", [config], port);
        redis.RedisPassword = password;
        return redis;
    }

    public string RedisPassword { get; private set; } = "";

    /// <summary>nginx with deploy/nginx.conf as scripts/run --cluster runs it (scripts/lib.sh): TLS with a certificate
    /// made under <paramref name="dir"/>, in front of <paramref name="upstreams"/> ("127.0.0.1:PORT"); its log in
    /// DIR/nginx/logs. Port is the https one.</summary>
    public static async Task<ServerProcess> NginxAsync(string dir, IEnumerable<string> upstreams, Action<string>? log = null)
    {
        var https = FreePort();
        await ShellLib.RunAsync("self_signed_certificate", $"{dir}/tls", "127.0.0.1");
        var config = await ShellLib.RunAsync("local_nginx_config", [$"{dir}/nginx", $"{https}", $"{FreePort()}",
            $"{dir}/tls/127.0.0.1.crt", $"{dir}/tls/127.0.0.1.key", .. upstreams]);
        return await StartAsync("nginx", ["-p", $"{dir}/nginx", "-c", config, "-e", $"{dir}/nginx/logs/error.log"], https, log: log);
    }

    public string RedisConnectionString => $"127.0.0.1:{Port},password={RedisPassword}";

    /// <summary>MeshMeet as scripts/run starts it: the build's MeshMeet.Web.dll, from the project folder (its content
    /// root), in Production, configured by environment variables.</summary>
    /// <param name="web">A MeshMeet.Web folder to run its Release build (a benchmark's, maybe of another checkout); this
    /// repository's newest build if null.</param>
    /// <param name="listen">The address to listen on; 0.0.0.0 also serves other network namespaces on a bridge.</param>
    public static Task<ServerProcess> MeshMeetAsync(int port, IDictionary<string, string> environment, Action<string>? log = null,
        string? web = null, string listen = "127.0.0.1")
    {
        var dll = web is not null ? Path.Combine(web, "bin", "Release", "net10.0", "MeshMeet.Web.dll")
            : Directory.GetFiles(Path.Combine(RepoRoot(), "MeshMeet.Web", "bin"), "MeshMeet.Web.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc).First();
        web ??= Path.Combine(RepoRoot(), "MeshMeet.Web");
        var settings = new Dictionary<string, string>(environment) { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        return StartAsync("dotnet", [dll, "--urls", $"http://{listen}:{port}"], port, settings, web, log);
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MeshMeet.sln"))) return dir.FullName;
        throw new InvalidOperationException("MeshMeet.sln not found above " + AppContext.BaseDirectory);
    }

    private async Task WaitForPortAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"It exited with code {_process.ExitCode}:\n{Output}");
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>kill -9: no shutdown, no goodbye to anyone.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
