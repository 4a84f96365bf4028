using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace AegisKV.ProcessTests;

/// <summary>
/// One <c>aegis</c> process started by a test, with its stdout and stderr captured. Only this process is ever
/// signalled or killed, by its PID; disposing kills it if it is still running.
/// </summary>
public sealed class AegisProcess : IAsyncDisposable
{
    /// <summary>GET on the node's health port, whatever the status: the status and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetHealthAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync($"http://{Ports!.Host}:{HealthPort}{path}", cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>SIGTERM: asks the node for a graceful shutdown.</summary>
    public const int SigTerm = 15;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private static readonly Lazy<string> Binary = new(FindBinary);

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private AegisProcess(Process process, IReadOnlyList<string> arguments, NodePorts? ports)
    {
        _process = process;
        Arguments = arguments;
        Ports = ports;
    }

    /// <summary>
    /// The executable under test: <c>AEGIS_BINARY</c> when set (for example <c>dotnet publish</c> output),
    /// else the server build output recorded in this assembly when it was built.
    /// </summary>
    public static string BinaryPath => Binary.Value;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>The arguments the process was started with.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The ports given to a node started with <see cref="StartNode"/>; null otherwise.</summary>
    public NodePorts? Ports { get; }

    /// <summary>The RESP port of a node started with <see cref="StartNode"/>.</summary>
    public int ClientPort => Ports?.Client ?? throw new InvalidOperationException("not started as a node");

    /// <summary>The HTTP health port of a node started with <see cref="StartNode"/>.</summary>
    public int HealthPort => Ports?.Health ?? throw new InvalidOperationException("not started as a node");

    /// <summary>The gossip port the node was given.</summary>
    public int GossipPort => Ports?.Gossip ?? throw new InvalidOperationException("not started as a node");

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote to stdout so far.</summary>
    public string StandardOutput => Join(_stdout);

    /// <summary>Everything the process wrote to stderr so far.</summary>
    public string StandardError => Join(_stderr);

    /// <summary>The lines the process wrote to stderr so far.</summary>
    public IReadOnlyList<string> StandardErrorLines
    {
        get
        {
            lock (_stderr) return [.. _stderr];
        }
    }

    /// <summary>Starts <c>aegis</c> with <paramref name="arguments"/>; AEGIS_* variables are not inherited, only those in <paramref name="environment"/> are set.</summary>
    public static AegisProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        Start([.. arguments], environment, workingDirectory, ports: null);

    /// <summary>
    /// Starts a node on fresh loopback ports (bind, gossip, health) with its own node id and
    /// <paramref name="dataDirectory"/>. A flag in <paramref name="flags"/> (<c>--name value</c> or <c>--name=value</c>)
    /// replaces the default for that name. A node started again keeps its <paramref name="ports"/>.
    /// </summary>
    public static AegisProcess StartNode(string dataDirectory, IEnumerable<string>? flags = null, IReadOnlyDictionary<string, string>? environment = null, NodePorts? ports = null)
    {
        var given = flags?.ToList() ?? [];
        var names = given.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);
        ports ??= new NodePorts(FreePorts.Take(), FreePorts.Take(), FreePorts.Take());
        var defaults = new (string Name, string Value)[]
        {
            ("--node-id", "pt-" + ports.Client),
            ("--bind", ports.Host + ":" + ports.Client),
            ("--gossip", ports.Host + ":" + ports.Gossip),
            ("--health", ports.Host + ":" + ports.Health),
            ("--data-dir", dataDirectory),
        };
        var arguments = new List<string>();
        foreach (var (name, value) in defaults)
            if (!names.Contains(name)) arguments.AddRange([name, value]);
        arguments.AddRange(given);
        var workingDirectory = Path.GetDirectoryName(Path.GetFullPath(dataDirectory));
        NodeAddresses.Register(ports);
        return Start(arguments, environment, workingDirectory, ports);
    }

    /// <summary>Runs <c>aegis</c> to completion (for the CLI verbs and usage errors); throws if it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<AegisProcess> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var process = Start(arguments);
        try
        {
            await process.WaitForExitAsync(timeout, cancellationToken);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>The process's resident set size now, from /proc.</summary>
    public long RssBytes() => StatusBytes("VmRSS:");

    /// <summary>The most resident memory the process has had since it started (the kernel's high-water mark).</summary>
    public long PeakRssBytes() => StatusBytes("VmHWM:");

    private long StatusBytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    /// <summary>Polls <c>GET /ready</c> until it answers 200 <c>{"ready":true}</c>; fails early if the process exits.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var url = $"http://{Ports!.Host}:{HealthPort}/ready";
        string last = "no answer";
        while (true)
        {
            if (HasExited)
                throw new InvalidOperationException($"aegis exited with code {ExitCode} before it was ready.\n{Describe()}");
            try
            {
                using var response = await Http.GetAsync(url, limit.Token);
                var body = await response.Content.ReadAsStringAsync(limit.Token);
                if (response.StatusCode == HttpStatusCode.OK && body.Replace(" ", "", StringComparison.Ordinal).Contains("\"ready\":true", StringComparison.Ordinal))
                    return;
                last = $"{(int)response.StatusCode} {body}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !limit.IsCancellationRequested)
            {
                last = e.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(100, limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException($"aegis was not ready within {timeout} (last /ready: {last}).\n{Describe()}");
    }

    /// <summary>Sends <paramref name="signal"/> to this process (by PID, never by name).</summary>
    public void Signal(int signal)
    {
        if (HasExited) throw new InvalidOperationException($"aegis has already exited with code {ExitCode}.\n{Describe()}");
        if (Native.kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Sends SIGTERM.</summary>
    public void Terminate() => Signal(SigTerm);

    /// <summary>SIGKILL: the process ends at once, without any shutdown.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Waits for the process to exit and returns its exit code; throws <see cref="TimeoutException"/> (with the logs) if it does not within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"aegis did not exit within {timeout}.\n{Describe()}");
        }

        // The process has exited: this only waits for the end of the redirected output.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>The command line, state and captured output, for assertion messages.</summary>
    public string Describe()
    {
        var state = HasExited ? $"exited with code {ExitCode}" : "running";
        return $"$ {BinaryPath} {string.Join(' ', Arguments)}\n(pid {Id}, {state}, {_clock.Elapsed.TotalSeconds:F1} s since start)\n" +
               $"--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}\n--- end ---";
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(limit.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or not gone in time: nothing more a test can do.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static AegisProcess Start(List<string> arguments, IReadOnlyDictionary<string, string>? environment, string? workingDirectory, NodePorts? ports)
    {
        // In a namespace through "ip netns exec", which execs aegis in place: the process id stays the node's.
        var inNamespace = ports?.Namespace is not null;
        var info = new ProcessStartInfo(inNamespace ? "ip" : BinaryPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (inNamespace)
            foreach (var argument in new[] { "netns", "exec", ports!.Namespace!, BinaryPath }) info.ArgumentList.Add(argument);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // Settings come only from what the test passes, never from the environment the tests run in.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("AEGIS_", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;

        var process = new Process { StartInfo = info };
        var started = new AegisProcess(process, arguments, ports);
        process.OutputDataReceived += (_, e) => started.Append(started._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(started._stderr, e.Data);
        if (!process.Start()) throw new InvalidOperationException($"could not start {BinaryPath}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return started;
    }

    private void Append(List<string> lines, string? line)
    {
        if (line is null) return;
        lock (lines) lines.Add(line);
    }

    private static string Join(List<string> lines)
    {
        lock (lines) return string.Join('\n', lines);
    }

    private static string FindBinary()
    {
        var path = Environment.GetEnvironmentVariable("AEGIS_BINARY");
        if (string.IsNullOrWhiteSpace(path))
        {
            path = typeof(AegisProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "AegisBinary")?.Value;
            if (string.IsNullOrWhiteSpace(path))
                throw new InvalidOperationException("The test assembly does not say where aegis was built; set AEGIS_BINARY.");
        }

        path = Path.GetFullPath(path);
        if (!File.Exists(path) && OperatingSystem.IsWindows() && File.Exists(path + ".exe")) path += ".exe";
        if (!File.Exists(path))
            throw new FileNotFoundException($"aegis executable not found at '{path}' (set AEGIS_BINARY or build src/AegisKV.Server).", path);
        return path;
    }

    private static class Native
    {
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code; one tiny call does not justify enabling it.
        [DllImport("libc", SetLastError = true)]
        public static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
    }
}

/// <summary>
/// The ports a node was started on, on loopback or, when <paramref name="Namespace"/> is given, on
/// <paramref name="Host"/> in that network namespace (made by the test).
/// </summary>
public sealed record NodePorts(int Client, int Gossip, int Health, string Host = "127.0.0.1", string? Namespace = null);
