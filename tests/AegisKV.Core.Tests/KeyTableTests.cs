using System.Runtime.CompilerServices;
using AegisKV.Core.State;
using CsCheck;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

public sealed class KeyTableTests
{
    private static StoredValue Entry(string key, string value, long version = 1) => new(KeyRecord.ForString(B(key), B(value)), 0, version);

    private static string Key(in StoredValue entry) => System.Text.Encoding.UTF8.GetString(entry.Key);

    private static string Value(in StoredValue entry) => System.Text.Encoding.UTF8.GetString(entry.Value);

    [Fact]
    public void A_string_record_should_give_back_its_key_and_value()
    {
        var longKey = new string('k', 300);
        var record = KeyRecord.ForString(B(longKey), B("value"));
        Assert.Equal(2 + 300 + 5, record.Length);
        Assert.Equal(longKey, System.Text.Encoding.UTF8.GetString(KeyRecord.Key(record)));
        Assert.Equal("value", System.Text.Encoding.UTF8.GetString(KeyRecord.StringValue(record)));
        Assert.Equal("", System.Text.Encoding.UTF8.GetString(KeyRecord.StringValue(KeyRecord.ForString(B("k"), []))));
        Assert.Equal(3 + 5 + NodeMemory.EntryOverhead, KeyRecord.Cost(KeyRecord.Create(B("abc"), B("12345"))));
    }

    [Fact]
    public void A_key_set_twice_should_be_replaced_and_counted_once()
    {
        var table = new KeyTable();
        Assert.False(table.Set(Entry("a", "1"), out _));
        Assert.True(table.Set(Entry("a", "2", version: 2), out var replaced));
        Assert.Equal("1", Value(replaced));
        Assert.Equal(1, table.Count);
        Assert.True(table.TryGetValue(B("a"), out var found));
        Assert.Equal("2", Value(found));
        Assert.Equal(2, found.Version);
    }

    [Fact]
    public void A_removed_key_should_leave_every_other_key_findable()
    {
        var table = new KeyTable();
        for (var i = 0; i < 1_000; i++) table.Set(Entry("key:" + i, "v" + i), out _);
        for (var i = 0; i < 1_000; i += 3) Assert.True(table.Remove(B("key:" + i), out _));
        Assert.False(table.Remove(B("key:0"), out _));
        Assert.Equal(1_000 - 334, table.Count);
        for (var i = 0; i < 1_000; i++)
        {
            var found = table.TryGetValue(B("key:" + i), out var entry);
            Assert.Equal(i % 3 != 0, found);
            if (found) Assert.Equal("v" + i, Value(entry));
        }
    }

    [Fact]
    public void An_entry_found_by_reference_should_change_in_place()
    {
        var table = new KeyTable();
        table.Set(Entry("a", "1"), out _);
        ref var slot = ref table.Find(B("a"));
        slot = slot with { ExpireAtMs = 42 };
        Assert.Equal(42, table.Find(B("a")).ExpireAtMs);
        Assert.True(Unsafe.IsNullRef(ref table.Find(B("b"))));
    }

    [Fact]
    public void Walking_and_sampling_should_meet_only_held_keys()
    {
        var table = new KeyTable();
        Assert.False(table.TryGetRandom(Random.Shared, out _));
        for (var i = 0; i < 100; i++) table.Set(Entry("key:" + i, "v"), out _);
        for (var i = 0; i < 100; i += 2) table.Remove(B("key:" + i), out _);

        var walked = new List<string>();
        foreach (var entry in table) walked.Add(Key(entry));
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 2 == 1).Select(i => "key:" + i).Order(), walked.Order());
        for (var i = 0; i < 200; i++)
        {
            Assert.True(table.TryGetRandom(Random.Shared, out var picked));
            Assert.Contains(Key(picked), walked);
        }

        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.False(table.ContainsKey(B("key:1")));
    }

    [Fact]
    public void Any_sequence_of_sets_and_removes_should_hold_what_a_dictionary_holds()
    {
        // Few distinct keys, so the same ones are set and removed again and again, across growth and backward shifts.
        var operation = Gen.Select(Gen.Bool, Gen.Int[0, 400], Gen.Int[0, 1_000]);
        operation.Array[0, 3_000].Sample(operations =>
        {
            var table = new KeyTable();
            var model = new Dictionary<string, string>();
            foreach (var (set, keyNumber, valueNumber) in operations)
            {
                var key = "k" + keyNumber;
                if (set)
                {
                    Assert.Equal(model.ContainsKey(key), table.Set(Entry(key, "v" + valueNumber), out _));
                    model[key] = "v" + valueNumber;
                }
                else
                {
                    Assert.Equal(model.Remove(key), table.Remove(B(key), out _));
                }
            }

            Assert.Equal(model.Count, table.Count);
            foreach (var (key, value) in model)
            {
                Assert.True(table.TryGetValue(B(key), out var entry), key);
                Assert.Equal(value, Value(entry));
            }

            var walked = 0;
            foreach (var entry in table)
            {
                Assert.True(model.ContainsKey(Key(entry)));
                walked++;
            }

            Assert.Equal(model.Count, walked);
        }, iter: 200);
    }
}
