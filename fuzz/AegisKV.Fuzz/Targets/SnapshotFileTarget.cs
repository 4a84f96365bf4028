using AegisKV.Core.State;
using AegisKV.Storage;

namespace AegisKV.Fuzz.Targets;

/// <summary>
/// A snapshot file as the snapshot store loads it: the header and body checks, the fields, and the shard state
/// decoded from the payload. With an even first byte the rest is the file as found on disk; with an odd one it is
/// the body, given a header with the right length and checksums so the fuzzer reaches the decoders behind them.
/// </summary>
public sealed class SnapshotFileTarget : FuzzTarget
{
    /// <inheritdoc />
    public override string Name => "snapshot";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0) return;
        ReadOnlyMemory<byte> file = (input[0] & 1) == 0 ? input[1..].ToArray() : SnapshotFile.Seal(input[1..]);
        if (!SnapshotFile.TryDecode(file, out var content, out var badOffset, out var reason))
        {
            if (reason is null || badOffset < 0 || badOffset > file.Length)
                throw new InvalidOperationException($"A refused snapshot of {file.Length} bytes says bad offset {badOffset}, reason '{reason}'.");
            return;
        }

        NodeSerialization.DeserializeStored(content!.Payload.ToArray(), content.SerializerId, content.SerializerManifest);
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var state = new ShardSnapshot(3, [new SnapshotEntry("k"u8.ToArray(), "v"u8.ToArray(), 0), new SnapshotEntry("n"u8.ToArray(), "42"u8.ToArray(), 1_700_000_000_000)]);
        var (serializer, manifest) = NodeSerialization.For(state);
        var file = SnapshotFile.Encode("shard-3", 17, 638_000_000_000_000_000, serializer.Identifier, manifest, serializer.ToBinary(state));
        yield return ("file", [0, .. file]);
        yield return ("body", [1, .. file.AsSpan(WalFormat.SnapshotHeaderSize)]);
    }
}
