using System.Diagnostics;

namespace AegisKV.ProcessTests;

/// <summary>Runs a system command (mount, ip) to completion for a test's set-up.</summary>
public static class Command
{
    /// <summary>The exit code and the trimmed output (standard error, then standard output).</summary>
    public static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
