using System.Diagnostics;

namespace MeshMeet.E2E.Support;

/// <summary>The throwaway PostgreSQL cluster scripts/test started (MESHMEET_TEST_PGDATA), stopped and started for real.</summary>
public static class TestCluster
{
    private static string DataDirectory => Environment.GetEnvironmentVariable("MESHMEET_TEST_PGDATA")
        ?? throw new InvalidOperationException("MESHMEET_TEST_PGDATA is not set: run the browser tests through scripts/test.");

    public static Task StopAsync() => PgCtlAsync("-m", "fast", "-w", "stop");

    /// <summary>Starts it again with the options it last ran with (postmaster.opts).</summary>
    public static Task StartAsync() => PgCtlAsync("-w", "-l", Path.Combine(DataDirectory, "..", "restart.log"), "restart");

    private static async Task PgCtlAsync(params string[] args)
    {
        var pgCtl = Path.Combine(Environment.GetEnvironmentVariable("PGBIN") ?? "/usr/lib/postgresql/15/bin", "pg_ctl");
        // The cluster belongs to the postgres user when the tests run as root (initdb refuses root).
        var start = Environment.UserName == "root"
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", pgCtl, "-D", DataDirectory, .. args])
            : new ProcessStartInfo(pgCtl, ["-D", DataDirectory, .. args]);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pg_ctl {string.Join(' ', args)} failed: {output}");
    }
}
