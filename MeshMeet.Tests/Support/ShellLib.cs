using System.Diagnostics;

namespace MeshMeet.Tests.Support;

/// <summary>The functions of scripts/lib.sh, run as scripts/run runs them: what the tests start is what ships.</summary>
public static class ShellLib
{
    /// <summary>Runs one function and returns what it printed (trimmed); fails with its error output.</summary>
    public static async Task<string> RunAsync(string function, params string[] args)
    {
        var start = new ProcessStartInfo("bash", ["-c", "source scripts/lib.sh && \"$@\"", "lib", function, .. args])
        {
            WorkingDirectory = ServerProcess.RepoRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{function} failed ({process.ExitCode}): {await errors}");
        return (await output).Trim();
    }
}
