namespace AegisKV.Storage.Tests;

/// <summary>The compact entry list against a plain list of entries, under random appends and removals.</summary>
public sealed class WalEntryListTests
{
    private static readonly Segment[] Segments = [new("a.wal", 0, 0), new("b.wal", 1, 0), new("c.wal", 2, 0)];

    [Fact]
    public void Random_appends_and_removals_should_keep_the_same_entries_as_a_plain_list()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            var list = new WalEntryList();
            var model = new List<WalEntry>();
            var live = new int[Segments.Length];
            foreach (var segment in Segments) segment.LiveRecords = 0;
            long next = 1;
            for (var step = 0; step < 120; step++)
            {
                var op = random.Next(10);
                if (op < 6)
                {
                    // Mostly consecutive sequence numbers in one place, at times a gap, another segment or a record in memory.
                    var count = random.Next(10) == 0 ? random.Next(1, 2 * WalEntryList.RunCapacity) : random.Next(1, 50);
                    var place = random.Next(4);
                    for (var i = 0; i < count; i++)
                    {
                        next += random.Next(200) == 0 ? random.Next(2, 5) : 1;
                        var entry = place == 3
                            ? new WalEntry(next, null, 0, 3, [1, 2, (byte)next])
                            : new WalEntry(next, Segments[place], random.Next(1 << 30), random.Next(1, 1 << 20), null);
                        list.Add(entry);
                        model.Add(entry);
                        if (entry.Segment is not null)
                            live[place]++;
                    }
                }
                else if (op < 8 && model.Count > 0)
                {
                    var upTo = Pick(random, model);
                    list.RemoveUpTo(upTo);
                    Remove(model, live, entry => entry.SequenceNr <= upTo);
                }
                else if (op < 9 && model.Count > 0)
                {
                    var from = Pick(random, model);
                    list.RemoveFrom(from);
                    Remove(model, live, entry => entry.SequenceNr >= from);
                    next = model.Count > 0 ? model[^1].SequenceNr : from - 1;
                }
                else
                {
                    list.TrimExcess();
                }

                AssertSame(random, list, model, live, $"seed {seed}, step {step}, op {op}");
            }
        }
    }

    [Fact]
    public void An_entry_that_does_not_follow_the_newest_should_be_refused()
    {
        var list = new WalEntryList();
        list.Add(new WalEntry(5, Segments[0], 0, 1, null));

        Assert.Throws<ArgumentException>(() => list.Add(new WalEntry(5, Segments[0], 10, 1, null)));
        Assert.Equal(1, list.Count);
    }

    private static long Pick(Random random, List<WalEntry> model) =>
        model[0].SequenceNr - 2 + random.NextInt64(model[^1].SequenceNr - model[0].SequenceNr + 5);

    private static void Remove(List<WalEntry> model, int[] live, Predicate<WalEntry> goes)
    {
        foreach (var entry in model)
        {
            if (goes(entry) && entry.Segment is { } segment)
                live[Array.IndexOf(Segments, segment)]--;
        }
        model.RemoveAll(goes);
    }

    private static void AssertSame(Random random, WalEntryList list, List<WalEntry> model, int[] live, string where)
    {
        Assert.True(model.Count == list.Count, $"{where}: count {list.Count}, expected {model.Count}");
        if (model.Count > 0)
            Assert.True(model[^1].SequenceNr == list.LastSequenceNr, $"{where}: last {list.LastSequenceNr}, expected {model[^1].SequenceNr}");
        for (var i = 0; i < Segments.Length; i++)
            Assert.True(live[i] == Segments[i].LiveRecords, $"{where}: segment {i} counts {Segments[i].LiveRecords} live, expected {live[i]}");

        var all = new List<WalEntry>();
        list.CopyTo(long.MinValue, long.MaxValue, long.MaxValue, all);
        AssertEntries(model, all, where);

        if (model.Count == 0)
            return;
        var from = Pick(random, model);
        var to = from + random.Next(-2, 300);
        var max = random.Next(0, 100);
        var range = new List<WalEntry>();
        list.CopyTo(from, to, max, range);
        AssertEntries(model.FindAll(e => e.SequenceNr >= from && e.SequenceNr <= to).Take(max).ToList(), range, $"{where}, {from}..{to} max {max}");

        var above = Pick(random, model);
        Assert.True(model.Count(e => e.SequenceNr > above) == list.CountAbove(above), $"{where}: count above {above}");
    }

    private static void AssertEntries(List<WalEntry> expected, List<WalEntry> actual, string where)
    {
        Assert.True(expected.Count == actual.Count, $"{where}: {actual.Count} entries, expected {expected.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.True(e.SequenceNr == a.SequenceNr && e.Segment == a.Segment && e.Offset == a.Offset && e.Length == a.Length && e.Record == a.Record,
                $"{where}: entry {i} is {a.SequenceNr}@{a.Offset}+{a.Length}, expected {e.SequenceNr}@{e.Offset}+{e.Length}");
        }
    }
}
