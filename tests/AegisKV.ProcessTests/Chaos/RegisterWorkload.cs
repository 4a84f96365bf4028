using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AegisKV.Checkers;

namespace AegisKV.ProcessTests.Chaos;

/// <summary>
/// Clients reading and writing a few registers through whichever nodes are up, each operation recorded with
/// when it was sent and when (and how) it was answered, for <see cref="LinearizabilityChecker"/>. A refusal
/// (<c>-CLUSTERDOWN</c>, or <c>-TRYAGAIN</c> from a shard that is moving or a node that is joining: nothing ran)
/// leaves no operation; no reply within the timeout, a dropped
/// connection or a <c>-TRYAGAIN</c> for a request that waited too long leaves an operation of unknown outcome.
/// </summary>
public sealed class RegisterWorkload(Func<IReadOnlyList<int>> livePorts, int clients, int registers, TimeSpan timeout)
{
    private readonly ConcurrentQueue<Operation> _history = new();
    private readonly ConcurrentDictionary<string, int> _unknownBecause = new(StringComparer.Ordinal);
    private long _refused;
    private long _unknown;
    private long _answered;

    /// <summary>Every operation recorded so far.</summary>
    public IReadOnlyList<Operation> History => [.. _history];

    /// <summary>Counts so far, for the report.</summary>
    public string Describe() =>
        $"{_answered + _unknown + _refused} operations: {_answered} answered, {_refused} refused before running (CLUSTERDOWN, TRYAGAIN), {_unknown} of unknown outcome ("
        + string.Join(", ", _unknownBecause.OrderByDescending(u => u.Value).Take(4).Select(u => $"{u.Value} {u.Key}")) + ")";

    /// <summary>Runs every client until <paramref name="stop"/>.</summary>
    public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(() => ClientAsync(client, stop), CancellationToken.None)));

    /// <summary>
    /// Reads every register once more, through <paramref name="port"/>, after the faults are over. A read refused (a
    /// shard still moving or choosing its primary as the faults end) is asked again, as a client would, for up to a
    /// minute: a read changes nothing, so only the one answered goes into the history.
    /// </summary>
    public async Task ReadAllAsync(int port, CancellationToken cancellationToken)
    {
        await using var connection = await RespConnection.ConnectAsync(port, cancellationToken);
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        for (var register = 0; register < registers; register++)
        {
            var key = Key(register);
            while (true)
            {
                var invoked = Stopwatch.GetTimestamp();
                var reply = await connection.ExecuteAsync(cancellationToken, "GET", key);
                if (reply.Type != '-')
                {
                    _history.Enqueue(Operation.Get(-1, key, invoked, Stopwatch.GetTimestamp(), reply.Text));
                    Interlocked.Increment(ref _answered);
                    break;
                }

                if (Stopwatch.GetTimestamp() > until) throw new InvalidOperationException($"final read of {key}: {reply}");
                FinalReadsRefused++;
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    /// <summary>Final reads refused and asked again (<see cref="ReadAllAsync"/>).</summary>
    public int FinalReadsRefused { get; private set; }

    // Answers given before anything ran. The other TRYAGAIN (a request that waited past the timeout) may still run.
    private static bool IsRefusal(string error) =>
        error.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
        || error.StartsWith("NOREPLICAS", StringComparison.Ordinal)
        || error.StartsWith("TRYAGAIN shard ", StringComparison.Ordinal)
        || error.StartsWith("TRYAGAIN this node is joining", StringComparison.Ordinal);

    private static string Key(int register) => "{reg" + register.ToString(CultureInfo.InvariantCulture) + "}";

    private async Task ClientAsync(int client, CancellationToken stop)
    {
        var random = new Random(client * 7919 + 1);
        var seen = new Dictionary<string, string?>();
        RespConnection? connection = null;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = Key(random.Next(registers));
            var value = $"c{client}-{n}";
            var roll = random.Next(10);
            var (kind, arguments) = roll switch
            {
                < 4 => (OperationKind.Get, new[] { "GET", key }),
                < 7 => (OperationKind.Set, new[] { "SET", key, value }),
                < 9 when seen.GetValueOrDefault(key) is { } expected => (OperationKind.CompareAndSet, new[] { "SET", key, value, "IFEQ", expected }),
                < 9 => (OperationKind.Increment, new[] { "INCR", key }),
                _ => (OperationKind.Delete, new[] { "DEL", key }),
            };
            connection ??= await ConnectAsync(random, stop);
            if (connection is null) continue;
            var invoked = Stopwatch.GetTimestamp();
            RespReply? reply = null;
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
                deadline.CancelAfter(timeout);
                reply = await connection.ExecuteAsync(deadline.Token, arguments);
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or System.Net.Sockets.SocketException or InvalidDataException or OperationCanceledException)
            {
                // The request may or may not have run: its outcome is unknown, and so is the connection's state.
                _unknownBecause.AddOrUpdate(e is OperationCanceledException ? "timed out" : e.GetType().Name, 1, static (_, n) => n + 1);
                if (connection is not null) await connection.DisposeAsync();
                connection = null;
            }

            Record(client, key, kind, arguments, invoked, reply, seen);
            // As clients do: a moment's pause before trying again after an error.
            if (reply is null or { Type: '-' }) await Task.Delay(random.Next(20, 60), CancellationToken.None);
        }

        if (connection is not null) await connection.DisposeAsync();
    }

    private void Record(int client, string key, OperationKind kind, string[] arguments, long invoked, RespReply? reply, Dictionary<string, string?> seen)
    {
        var completed = Stopwatch.GetTimestamp();
        if (reply is { Type: '-' } error && IsRefusal(error.Text!))
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        var value = kind is OperationKind.Set or OperationKind.CompareAndSet ? arguments[2] : null;
        var expected = kind == OperationKind.CompareAndSet ? arguments[4] : null;
        if (reply is null || reply.Type == '-' && !(kind == OperationKind.Increment && reply.Text!.StartsWith("ERR value is not an integer", StringComparison.Ordinal)))
        {
            if (reply is not null) _unknownBecause.AddOrUpdate(reply.Text!.Split(' ')[0], 1, static (_, n) => n + 1);
            Interlocked.Increment(ref _unknown);
            _history.Enqueue(new Operation(client, key, kind, value, expected, invoked, null, null));
            seen.Remove(key);
            return;
        }

        var result = kind switch
        {
            OperationKind.Get => reply.Text,
            OperationKind.Set => Operation.Ok,
            OperationKind.Delete => reply.Text,
            OperationKind.Increment => reply.Type == '-' ? Operation.Error : reply.Text,
            _ => reply.Type == '+' ? Operation.Ok : null,
        };
        seen[key] = kind switch
        {
            OperationKind.Get => result,
            OperationKind.Set => value,
            OperationKind.CompareAndSet when result == Operation.Ok => value,
            OperationKind.Increment when result != Operation.Error => result,
            OperationKind.Delete => null,
            _ => seen.GetValueOrDefault(key),
        };
        Interlocked.Increment(ref _answered);
        _history.Enqueue(new Operation(client, key, kind, value, expected, invoked, completed, result));
    }

    // A connection to a node that is up, or null (after a pause) when none answers.
    private async Task<RespConnection?> ConnectAsync(Random random, CancellationToken stop)
    {
        var ports = livePorts();
        try
        {
            if (ports.Count > 0) return await RespConnection.ConnectAsync(ports[random.Next(ports.Count)], stop);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // That node has just gone: try another after a pause.
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        await Task.Delay(50, CancellationToken.None);
        return null;
    }
}
