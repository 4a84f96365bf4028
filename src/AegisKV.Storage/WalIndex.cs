namespace AegisKV.Storage;

/// <summary>
/// In-memory index of the WAL: per persistence id the replayable record locations, the highest sequence
/// number and the deleted-to mark. Mutated only by the writer loop (and the start-up scan), always under
/// <see cref="Gate"/>; replays read under the same lock.
/// </summary>
internal sealed class WalIndex
{
    private readonly Dictionary<string, PidState> _states = new(StringComparer.Ordinal);

    public object Gate { get; } = new();

    public Dictionary<string, PidState> States => _states;

    public PidState GetOrAdd(string persistenceId)
    {
        if (!_states.TryGetValue(persistenceId, out var state))
        {
            state = new PidState();
            _states.Add(persistenceId, state);
        }
        return state;
    }

    public PidState? Find(string persistenceId) => _states.GetValueOrDefault(persistenceId);

    public void Apply(in IndexOp op) => Apply(GetOrAdd(op.PersistenceId), op);

    public static void Apply(PidState state, in IndexOp op)
    {
        switch (op.Kind)
        {
            case WalRecordType.Event:
                ApplyEvent(state, op);
                break;
            case WalRecordType.Deletion:
                state.Entries.RemoveUpTo(op.SequenceNr);
                // Where the log now starts keeps its epoch once the records before it are gone for good.
                if (op.Epoch != 0 && op.SequenceNr > 0 && (state.EpochStarts.Count == 0 || state.EpochStarts[0].FirstSequenceNr > op.SequenceNr))
                    state.EpochStarts.Insert(0, (op.SequenceNr, op.Epoch));
                state.DeletedTo = Math.Max(state.DeletedTo, op.SequenceNr);
                state.HighestSequenceNr = Math.Max(state.HighestSequenceNr, op.HighestSequenceNr);
                state.LastDeletionSegment = op.Segment;
                break;
            case WalRecordType.Truncation:
                state.Entries.RemoveFrom(op.SequenceNr);
                state.ForgetEpochsFrom(op.SequenceNr);
                state.HighestSequenceNr = Math.Min(state.HighestSequenceNr, op.SequenceNr - 1);
                state.DeletedTo = Math.Min(state.DeletedTo, op.SequenceNr - 1);
                if (state.Corruption is not null && op.SequenceNr <= state.CorruptAfter + 1)
                    state.Corruption = null;
                break;
            case WalRecordType.Reset:
                state.Entries.RemoveFrom(1);
                state.EpochStarts.Clear();
                if (op.SequenceNr > 0)
                    state.EpochStarts.Add((op.SequenceNr, op.Epoch));
                state.HighestSequenceNr = op.SequenceNr;
                state.DeletedTo = op.SequenceNr;
                state.LastDeletionSegment = op.Segment;
                state.Corruption = null; // nothing of what was lost is wanted any more
                break;
        }
        state.LastRecordSegment = op.Segment;
    }

    private static void ApplyEvent(PidState state, in IndexOp op)
    {
        var entries = state.Entries;
        if (entries.Count > 0 && entries.LastSequenceNr >= op.SequenceNr)
            entries.RemoveFrom(op.SequenceNr); // a rewrite of a suffix: the newer record wins
        state.ForgetEpochsFrom(op.SequenceNr);
        if (state.EpochStarts.Count == 0 || state.EpochStarts[^1].Epoch != op.Epoch)
            state.EpochStarts.Add((op.SequenceNr, op.Epoch));
        if (op.SequenceNr > state.DeletedTo)
            entries.Add(op.Entry);
        state.HighestSequenceNr = Math.Max(state.HighestSequenceNr, op.SequenceNr);
    }
}
