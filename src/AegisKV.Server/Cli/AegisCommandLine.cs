using System.CommandLine;
using AegisKV.Server.Configuration;
using AegisKV.Server.Hosting;
using AegisKV.Storage;

namespace AegisKV.Server.Cli;

/// <summary>
/// The <c>aegis</c> command line: with no verb it runs a node; <c>aegis wal verify</c> checks a
/// data directory offline. Usage errors print one line naming the flag and exit with code 2.
/// </summary>
public static class AegisCommandLine
{
    /// <summary>Exit code for a bad flag or value.</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/> and runs what they ask for; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync("aegis: " + parse.Errors[0].Message).ConfigureAwait(false);
            return UsageError;
        }

        return await parse.InvokeAsync().ConfigureAwait(false);
    }

    private static RootCommand BuildRoot()
    {
        var root = new RootCommand("AegisKV: a durable, sharded key-value store that speaks the Redis protocol.");
        var flagOptions = new List<(NodeFlag Flag, Option<string> Option)>();
        foreach (var flag in NodeFlag.All)
        {
            var option = new Option<string>(flag.Flag) { Description = flag.Description };
            root.Options.Add(option);
            flagOptions.Add((flag, option));
        }

        var config = new Option<string>("--config") { Description = "HOCON file with settings under aegis { … }." };
        root.Options.Add(config);
        root.SetAction(async (parse, cancellationToken) =>
        {
            var given = new Dictionary<string, string>();
            foreach (var (flag, option) in flagOptions)
                if (parse.GetResult(option) is not null && parse.GetValue(option) is { } value)
                    given[flag.Name] = value;

            NodeSettings settings;
            try
            {
                settings = NodeConfigLoader.Load(given, parse.GetValue(config));
            }
            catch (SettingsException e)
            {
                await Console.Error.WriteLineAsync("aegis: " + e.Message).ConfigureAwait(false);
                return UsageError;
            }

            return await RunNodeAsync(settings, cancellationToken).ConfigureAwait(false);
        });

        root.Subcommands.Add(WalCommand());
        root.Subcommands.Add(AdminCommands.Cluster());
        root.Subcommands.Add(AdminCommands.Shards());
        root.Subcommands.Add(AdminCommands.Doctor());
        root.Subcommands.Add(TopCommand.Create());
        return root;
    }

    /// <summary>Exit code for a node that could not start or failed while running.</summary>
    public const int RuntimeError = 1;

    // A node that cannot start says why in one line; the stack trace is for --log-level debug.
    private static async Task<int> RunNodeAsync(NodeSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            await using var node = AegisNode.Create(settings);
            node.ArmShutdownWatchdog();
            await node.RunAsync(cancellationToken).ConfigureAwait(false);
            return node.ExitCode;
        }
        catch (SettingsException e)
        {
            await Console.Error.WriteLineAsync("aegis: " + e.Message).ConfigureAwait(false);
            return UsageError;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("aegis: " + Describe(e)).ConfigureAwait(false);
            if (settings.LogLevel == "debug") await Console.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return RuntimeError;
        }
    }

    private static string Describe(Exception e)
    {
        if (e is StartupException) return e.Message;
        // The host wraps start-up failures; the innermost one says what happened.
        while (e is AggregateException { InnerException: { } inner }) e = inner;
        while (e.InnerException is { } cause && e is not System.Net.Sockets.SocketException) e = cause;
        return e is StartupException ? e.Message : $"failed: {e.Message}";
    }

    private static Command RepairCommand()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The node's data directory.", Required = true };
        var acceptLoss = new Option<bool>("--accept-loss") { Description = "Drop what was lost, so the shards that lost it serve again." };
        var repair = new Command("repair", "With the node stopped: list what corruption cost (exit 1 if anything), and with --accept-loss drop it.");
        repair.Options.Add(dataDir);
        repair.Options.Add(acceptLoss);
        repair.SetAction(parse =>
        {
            var directory = parse.GetValue(dataDir)!;
            if (!Directory.Exists(directory))
            {
                Console.Error.WriteLine($"aegis: --data-dir: directory not found: '{directory}'");
                return UsageError;
            }

            DataDirectoryLock dataLock;
            try
            {
                dataLock = DataDirectoryLock.Acquire(directory, writesFiles: true);
            }
            catch (StartupException e)
            {
                Console.Error.WriteLine("aegis: " + e.Message);
                return RuntimeError;
            }

            using (dataLock)
            {
                var plan = WalRepair.Plan(directory);
                if (plan.IsClean)
                {
                    Console.Out.WriteLine($"{directory}: nothing to repair");
                    return 0;
                }

                Console.Out.WriteLine(WalRepair.Describe(plan));
                if (!parse.GetValue(acceptLoss))
                {
                    Console.Out.WriteLine("Nothing was changed. Run again with --accept-loss to drop the above.");
                    return RuntimeError;
                }

                WalRepair.Repair(directory);
                Console.Out.WriteLine($"Repaired {directory}: {plan.Damage.Count} damaged range(s) cut, {plan.LostRecords.Count} shard(s) serve again from their last intact record.");
                return 0;
            }
        });
        return repair;
    }

    private static Command WalCommand()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The node's data directory.", Required = true };
        var verify = new Command("verify", "Check every WAL segment and snapshot; exit 1 if any is corrupt. The node need not run.");
        verify.Options.Add(dataDir);
        verify.SetAction(parse =>
        {
            var directory = parse.GetValue(dataDir)!;
            if (!Directory.Exists(directory))
            {
                Console.Error.WriteLine($"aegis: --data-dir: directory not found: '{directory}'");
                return UsageError;
            }

            var report = WalVerifier.Verify(directory);
            Console.Out.WriteLine(report.Format());
            // The files may each verify and still miss records the checkpoint says were written.
            var plan = WalRepair.Plan(directory);
            foreach (var lost in plan.LostRecords)
                Console.Out.WriteLine($"LOST    {lost.PersistenceId}: {lost.Description}");
            if (plan.CheckpointProblem is { } problem)
                Console.Out.WriteLine($"CORRUPT {problem}");
            return report.HasCorruption || !plan.IsClean ? 1 : 0;
        });

        var wal = new Command("wal", "Inspect and repair the write-ahead log.");
        wal.Subcommands.Add(verify);
        wal.Subcommands.Add(RepairCommand());
        return wal;
    }
}
