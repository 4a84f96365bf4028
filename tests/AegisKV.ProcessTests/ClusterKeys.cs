using System.Globalization;

namespace AegisKV.ProcessTests;

/// <summary>Writes numbered keys through cluster nodes and counts how they read back, in pipelines.</summary>
public static class ClusterKeys
{
    private const int Pipeline = 200;

    /// <summary>Reads every key through <paramref name="port"/>.</summary>
    public static Task<ReadCount> ReadAsync(int port, string prefix, int count, CancellationToken ct) =>
        ReadAsync(port, prefix, [.. Enumerable.Range(0, count)], ct);

    /// <summary>Reads the keys numbered <paramref name="numbers"/> through <paramref name="port"/>.</summary>
    public static async Task<ReadCount> ReadAsync(int port, string prefix, IReadOnlyList<int> numbers, CancellationToken ct)
    {
        var result = new ReadCount(numbers.Count);
        await using var connection = await RespConnection.ConnectAsync(port, ct);
        foreach (var chunk in numbers.Chunk(Pipeline))
        {
            foreach (var i in chunk) await connection.SendAsync(RespConnection.Command("GET", Key(prefix, i)), ct);
            foreach (var i in chunk) result.Add(i, await connection.ReadReplyAsync(ct));
        }

        return result;
    }

    /// <summary>Reads through <paramref name="port"/> until every key is found, at most <paramref name="within"/>.</summary>
    public static async Task<ReadCount> ReadUntilAllFoundAsync(int port, string prefix, int count, TimeSpan within, CancellationToken ct)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var read = await ReadAsync(port, prefix, count, ct);
            if (read.Found == count || DateTime.UtcNow > until) return read;
            await Task.Delay(500, ct);
        }
    }

    /// <summary>The key with number <paramref name="i"/>.</summary>
    public static string Key(string prefix, int i) => prefix + ":" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>The value written to key <paramref name="i"/>.</summary>
    public static string Value(int i) => "v:" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>How the keys read back.</summary>
    public sealed class ReadCount(int total)
    {
        public int Total { get; } = total;

        public int Found { get; private set; }

        public int ClusterDown { get; private set; }

        /// <summary>Anything else: missing, wrong value, another error (the first few, for messages).</summary>
        public List<string> Other { get; } = [];

        public int OtherCount { get; private set; }

        public void Add(int i, RespReply reply)
        {
            if (reply.Type == '$' && reply.Text == Value(i)) Found++;
            else if (reply.Type == '-' && reply.Text!.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)) ClusterDown++;
            else if (++OtherCount <= 5) Other.Add($"key {i}: {reply}");
        }

        public override string ToString() =>
            $"{Found} of {Total} found, {ClusterDown} CLUSTERDOWN, {OtherCount} other{(Other.Count > 0 ? " (" + string.Join("; ", Other) + ")" : "")}";
    }

    /// <summary>
    /// Writes each key through the ports in turn, again while any is refused (a shard choosing its primary), until all are
    /// acknowledged. With <paramref name="attempt"/>, writes not answered within it are sent again on a new connection,
    /// as a client with a timeout of its own does: a write lost with a node that died is otherwise answered only at the
    /// node's request timeout.
    /// </summary>
    public static async Task WriteUntilAcknowledgedAsync(IReadOnlyList<int> ports, string prefix, int count, TimeSpan within, CancellationToken cancellationToken,
        TimeSpan? attempt = null)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        var pending = Enumerable.Range(0, count).ToList();
        while (pending.Count > 0)
        {
            var refused = new List<int>();
            var last = "";
            for (var p = 0; p < ports.Count; p++)
            {
                var mine = pending.Where(i => i % ports.Count == p).ToList();
                var answered = 0;
                using var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (attempt is { } timeout) round.CancelAfter(timeout);
                try
                {
                    await using var connection = await RespConnection.ConnectAsync(ports[p], round.Token);
                    foreach (var i in mine) await connection.SendAsync(RespConnection.Command("SET", Key(prefix, i), Value(i)), round.Token);
                    for (; answered < mine.Count; answered++)
                    {
                        if (await connection.ReadReplyAsync(round.Token) is not { Type: '-' } error) continue;
                        refused.Add(mine[answered]);
                        last = error.Text!;
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or EndOfStreamException
                                              || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    refused.AddRange(mine.Skip(answered));
                    last = e is OperationCanceledException ? $"no answer within {attempt!.Value.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s" : e.Message;
                }
            }

            pending = refused;
            Assert.True(pending.Count == 0 || limit.Elapsed < within,
                $"{pending.Count} of {count} writes still refused after {within.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, e.g. {last}");
            if (pending.Count > 0) await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>The keys a node holds, its followers' copies included (<c>aegis_keys</c>).</summary>
    public static async Task<long> KeysHeldAsync(AegisProcess node, CancellationToken cancellationToken)
    {
        var (_, metrics) = await node.GetHealthAsync("/metrics", cancellationToken);
        foreach (var line in metrics.Split('\n'))
            if (line.StartsWith("aegis_keys ", StringComparison.Ordinal))
                return (long)double.Parse(line["aegis_keys ".Length..], CultureInfo.InvariantCulture);
        return 0;
    }
}
