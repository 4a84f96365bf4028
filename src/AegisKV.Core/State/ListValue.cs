using System.Collections.Immutable;

namespace AegisKV.Core.State;

/// <summary>
/// A list value: an immutable balanced tree of elements, so a push or pop at either end makes a new list in
/// O(log n) and the old one stays valid for snapshots, undo and readers. <see cref="Generation"/> counts the
/// changes made to this list since it was created: list events are not assignments, and replaying one that a
/// snapshot already holds must change nothing, so each event names the generation it makes and is skipped
/// by a list already at or past it.
/// </summary>
public sealed class ListValue
{
    /// <summary>Bytes charged per element beyond its own length, for memory accounting.</summary>
    public const int ElementOverhead = 40;

    private ListValue(ImmutableList<byte[]> items, long bytes, long generation)
    {
        Items = items;
        Bytes = bytes;
        Generation = generation;
    }

    /// <summary>The elements, head first.</summary>
    public ImmutableList<byte[]> Items { get; }

    /// <summary>Bytes of the elements plus <see cref="ElementOverhead"/> per element.</summary>
    public long Bytes { get; }

    /// <summary>How many changes this list has seen since it was created (1 for a new list).</summary>
    public long Generation { get; }

    /// <summary>Elements held.</summary>
    public int Count => Items.Count;

    /// <summary>The element at <paramref name="index"/> (0 is the head).</summary>
    public byte[] this[int index] => Items[index];

    /// <summary>A list of <paramref name="elements"/>, head first.</summary>
    public static ListValue From(IEnumerable<byte[]> elements, long generation)
    {
        var items = ImmutableList.CreateRange(elements);
        return new ListValue(items, SizeOf(items), generation);
    }

    /// <summary>This list with <paramref name="elements"/> pushed one by one at the head (<paramref name="left"/>) or the tail.</summary>
    public ListValue Pushed(bool left, byte[][] elements, long generation)
    {
        var builder = Items.ToBuilder();
        foreach (var element in elements)
            if (left) builder.Insert(0, element);
            else builder.Add(element);
        return new ListValue(builder.ToImmutable(), Bytes + SizeOf(elements), generation);
    }

    /// <summary>The <paramref name="count"/> elements from <paramref name="start"/>, as a list.</summary>
    public ListValue Trimmed(int start, int count, long generation)
    {
        if (start == 0 && count == Count) return new ListValue(Items, Bytes, generation);
        var kept = count <= 0 ? ImmutableList<byte[]>.Empty : Items.GetRange(start, count);
        return new ListValue(kept, SizeOf(kept), generation);
    }

    /// <summary>This list with <paramref name="removed"/> elements at <paramref name="index"/> replaced by <paramref name="inserted"/>.</summary>
    public ListValue Spliced(int index, int removed, byte[][] inserted, long generation)
    {
        var bytes = Bytes + SizeOf(inserted);
        for (var i = index; i < index + removed; i++) bytes -= Items[i].Length + ElementOverhead;
        var items = removed > 0 ? Items.RemoveRange(index, removed) : Items;
        if (inserted.Length > 0) items = items.InsertRange(index, inserted);
        return new ListValue(items, bytes, generation);
    }

    /// <summary>This list without the elements at <paramref name="indexes"/> (ascending, each once).</summary>
    public ListValue WithoutAt(int[] indexes, long generation)
    {
        var builder = Items.ToBuilder();
        var bytes = Bytes;
        for (var i = indexes.Length - 1; i >= 0; i--)
        {
            bytes -= builder[indexes[i]].Length + ElementOverhead;
            builder.RemoveAt(indexes[i]);
        }

        return new ListValue(builder.ToImmutable(), bytes, generation);
    }

    private static long SizeOf(IEnumerable<byte[]> elements)
    {
        long bytes = 0;
        foreach (var element in elements) bytes += element.Length + ElementOverhead;
        return bytes;
    }
}
