using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Snapshot;

namespace AegisKV.Storage;

/// <summary>
/// Akka.Persistence snapshot store (plugin id <c>akka.persistence.snapshot-store.aegis-wal</c>): one checksummed
/// file per snapshot under <c>dir/&lt;escaped persistence id&gt;/</c>, written to a temporary file, fsync'd
/// (mode <c>fsync</c>) and renamed into place. Loading skips snapshots whose checksum fails, falling back to
/// older ones. Mode <c>off</c> keeps serialized snapshots in memory.
/// </summary>
public sealed class WalSnapshotStore : SnapshotStore
{
    private const string TempExtension = ".tmp";

    private readonly WalSnapshotStoreSettings _settings;
    private readonly ExtendedActorSystem _system;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _directory;
    private readonly Dictionary<string, List<SnapshotFileContent>> _memory = new(StringComparer.Ordinal);
    private readonly Lazy<Dictionary<int, IStreamingSerializer>> _streaming;

    /// <summary>Created by Akka.Persistence with the plugin's config section.</summary>
    public WalSnapshotStore(Config config)
    {
        _settings = WalSnapshotStoreSettings.Create(config);
        _system = (ExtendedActorSystem)Context.System;
        _serialization = _system.Serialization;
        _directory = Path.GetFullPath(_settings.Directory);
        _streaming = new(() => StreamingSerializers(_system));
    }

    // Akka has no public lookup of a serializer by its id: the streaming ones are found through the types bound to them.
    private static Dictionary<int, IStreamingSerializer> StreamingSerializers(ExtendedActorSystem system)
    {
        var found = new Dictionary<int, IStreamingSerializer>();
        var bindings = system.Settings.Config.GetConfig("akka.actor.serialization-bindings");
        if (bindings is null || bindings.IsEmpty)
            return found;
        foreach (var binding in bindings.AsEnumerable())
        {
            if (Type.GetType(binding.Key) is { } type && system.Serialization.FindSerializerForType(type) is IStreamingSerializer streaming and Akka.Serialization.Serializer serializer)
                found.TryAdd(serializer.Identifier, streaming);
        }
        return found;
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        if (_settings.Mode != WalMode.Off)
            FileSystem.CreatePrivateDirectory(_directory);
    }

    /// <inheritdoc />
    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        if (_settings.Mode == WalMode.Off)
        {
            lock (_memory)
            {
                SnapshotFileContent? best = null;
                if (_memory.TryGetValue(persistenceId, out var list))
                {
                    foreach (var candidate in list)
                    {
                        if (Matches(criteria, candidate.SequenceNr, candidate.TimestampTicks) && (best is null || IsNewer(candidate.SequenceNr, candidate.TimestampTicks, best.SequenceNr, best.TimestampTicks)))
                            best = candidate;
                    }
                }
                return Task.FromResult(best is null ? null : ToSelected(best));
            }
        }
        return Task.Run(() => LoadFromDisk(persistenceId, criteria), cancellationToken);
    }

    private SelectedSnapshot? LoadFromDisk(string persistenceId, SnapshotSelectionCriteria criteria)
    {
        var candidates = List(persistenceId, criteria);
        // Newest first; a snapshot that fails verification is skipped in favour of the next older one.
        candidates.Sort((a, b) => IsNewer(a.SequenceNr, a.Ticks, b.SequenceNr, b.Ticks) ? -1 : IsNewer(b.SequenceNr, b.Ticks, a.SequenceNr, a.Ticks) ? 1 : 0);
        foreach (var (path, _, _) in candidates)
        {
            // A pooled buffer: a shard's snapshot is a large array, and one per shard at start-up would each be
            // garbage at once, costing a full collection of a heap that is filling with the data they hold.
            byte[] buffer;
            int length;
            try
            {
                (buffer, length) = ReadPooled(path);
            }
            catch (FileNotFoundException)
            {
                continue; // deleted meanwhile
            }
            try
            {
                if (!SnapshotFile.TryDecode(buffer.AsMemory(0, length), out var content, out var offset, out var reason))
                {
                    _log.Warning("Snapshot store: skipping corrupt snapshot {0} at offset {1}: {2}", path, offset, reason);
                    continue;
                }
                if (!string.Equals(content!.PersistenceId, persistenceId, StringComparison.Ordinal))
                    continue;
                try
                {
                    return ToSelected(content);
                }
                catch (Exception e)
                {
                    _log.Warning("Snapshot store: skipping snapshot {0} that cannot be deserialized: {1}", path, e.Message);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return null;
    }

    private static (byte[] Buffer, int Length) ReadPooled(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        if (length > Array.MaxLength)
            throw new IOException($"Snapshot {path} is {length} bytes, larger than this store reads.");
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length);
        return (buffer, FileSystem.ReadFully(handle, buffer.AsSpan(0, (int)length), 0));
    }

    // Reads the payload in place when its serializer can; never keeps a reference to it (it may be a pooled buffer).
    private SelectedSnapshot ToSelected(SnapshotFileContent content)
    {
        var snapshot = _streaming.Value.TryGetValue(content.SerializerId, out var streaming)
            ? streaming.ReadFrom(content.Payload.Span, content.SerializerManifest)
            : _serialization.Deserialize(content.Payload.ToArray(), content.SerializerId, content.SerializerManifest);
        var metadata = new SnapshotMetadata(content.PersistenceId, content.SequenceNr, new DateTime(content.TimestampTicks, DateTimeKind.Utc));
        return new SelectedSnapshot(metadata, snapshot);
    }

    /// <inheritdoc />
    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var serializer = _serialization.FindSerializerFor(snapshot);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, snapshot);
        // A large snapshot goes to its file in pieces, off the actor: its serializer vouches that it is immutable.
        if (_settings.Mode != WalMode.Off && serializer is IStreamingSerializer streaming && streaming.StreamedSize(snapshot) is var size and >= 0)
        {
            return Task.Run(() => SaveToDisk(metadata, stream => SnapshotFile.WriteTo(
                stream, metadata.PersistenceId, metadata.SequenceNr, metadata.Timestamp.Ticks, serializer.Identifier, manifest,
                size, payload => streaming.WriteTo(snapshot, payload))), cancellationToken);
        }

        // Serialize on the actor: the snapshot object may be mutated by its owner after this call returns.
        var bytes = Akka.Serialization.Serialization.WithTransport(_system, (serializer, snapshot), static state => state.serializer.ToBinary(state.snapshot));
        var content = new SnapshotFileContent(metadata.PersistenceId, metadata.SequenceNr, metadata.Timestamp.Ticks, serializer.Identifier, manifest, bytes);
        if (_settings.Mode == WalMode.Off)
        {
            lock (_memory)
            {
                if (!_memory.TryGetValue(metadata.PersistenceId, out var list))
                    _memory[metadata.PersistenceId] = list = [];
                list.RemoveAll(s => s.SequenceNr == content.SequenceNr && s.TimestampTicks == content.TimestampTicks);
                list.Add(content);
            }
            return Task.CompletedTask;
        }
        return Task.Run(() => SaveToDisk(metadata, stream => SnapshotFile.WriteTo(
            stream, content.PersistenceId, content.SequenceNr, content.TimestampTicks, content.SerializerId, content.SerializerManifest, content.Payload.Span)), cancellationToken);
    }

    private void SaveToDisk(SnapshotMetadata metadata, Action<FileStream> write)
    {
        var directory = PidDirectory(metadata.PersistenceId);
        FileSystem.CreatePrivateDirectory(directory);
        var path = Path.Combine(directory, SnapshotFile.FileName(metadata.SequenceNr, metadata.Timestamp.Ticks));
        var temp = path + "." + Guid.NewGuid().ToString("N") + TempExtension;
        try
        {
            using (var stream = new FileStream(temp, FileSystem.NewFileOptions()))
            {
                write(stream);
                if (_settings.Mode == WalMode.Fsync)
                    stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        if (_settings.Mode == WalMode.Fsync)
            FileSystem.SyncDirectory(directory);
    }

    /// <inheritdoc />
    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken)
    {
        var anyTime = metadata.Timestamp == DateTime.MinValue; // Akka's "timestamp not specified"
        bool Selected(long sequenceNr, long ticks) => sequenceNr == metadata.SequenceNr && (anyTime || ticks == metadata.Timestamp.Ticks);
        return Delete(metadata.PersistenceId, Selected, cancellationToken);
    }

    /// <inheritdoc />
    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
        => Delete(persistenceId, (sequenceNr, ticks) => Matches(criteria, sequenceNr, ticks), cancellationToken);

    private Task Delete(string persistenceId, Func<long, long, bool> selected, CancellationToken cancellationToken)
    {
        if (_settings.Mode == WalMode.Off)
        {
            lock (_memory)
            {
                if (_memory.TryGetValue(persistenceId, out var list))
                    list.RemoveAll(s => selected(s.SequenceNr, s.TimestampTicks));
            }
            return Task.CompletedTask;
        }
        return Task.Run(() =>
        {
            var directory = PidDirectory(persistenceId);
            if (!Directory.Exists(directory))
                return;
            foreach (var path in Directory.EnumerateFiles(directory, "*" + WalFormat.SnapshotFileExtension))
            {
                if (SnapshotFile.TryParseFileName(Path.GetFileName(path), out var sequenceNr, out var ticks) && selected(sequenceNr, ticks))
                    File.Delete(path);
            }
            if (_settings.Mode == WalMode.Fsync)
                FileSystem.SyncDirectory(directory);
        }, cancellationToken);
    }

    private List<(string Path, long SequenceNr, long Ticks)> List(string persistenceId, SnapshotSelectionCriteria criteria)
    {
        var result = new List<(string, long, long)>();
        var directory = PidDirectory(persistenceId);
        if (!Directory.Exists(directory))
            return result;
        foreach (var path in Directory.EnumerateFiles(directory, "*" + WalFormat.SnapshotFileExtension))
        {
            if (SnapshotFile.TryParseFileName(Path.GetFileName(path), out var sequenceNr, out var ticks) && Matches(criteria, sequenceNr, ticks))
                result.Add((path, sequenceNr, ticks));
        }
        return result;
    }

    private string PidDirectory(string persistenceId) => Path.Combine(_directory, PersistenceIdEscaper.Escape(persistenceId));

    private static bool Matches(SnapshotSelectionCriteria criteria, long sequenceNr, long ticks)
        => sequenceNr <= criteria.MaxSequenceNr
           && ticks <= criteria.MaxTimeStamp.Ticks
           && sequenceNr >= criteria.MinSequenceNr
           && (criteria.MinTimestamp is not { } min || ticks >= min.Ticks);

    private static bool IsNewer(long sequenceNr, long ticks, long otherSequenceNr, long otherTicks)
        => sequenceNr > otherSequenceNr || (sequenceNr == otherSequenceNr && ticks > otherTicks);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is ignored by loads.
        }
    }
}
