using System.Text;

namespace AegisKV.Core.State;

/// <summary>
/// Keyspace notifications as Redis sends them (<c>notify-keyspace-events</c>): for each enabled event a message on
/// <c>__keyspace@0__:key</c> naming the event, and one on <c>__keyevent@0__:event</c> naming the key. Node-wide and
/// settable at run time; shards call <see cref="Notify"/> when they run a command, expire or evict a key.
/// </summary>
public sealed class KeyspaceEvents
{
    // Redis's letters, one bit each in this order. AegisKV sends g, $, l, h, x, e and n events; the others (sets,
    // sorted sets, streams, modules, key misses) are kept so that CONFIG GET answers what was set, as Redis does.
    private const string Letters = "g$lshzxetdnKEm";

    /// <summary>g: generic commands (DEL, EXPIRE, RENAME, …).</summary>
    public const int Generic = 1 << 0;
    /// <summary>$: string commands.</summary>
    public const int String = 1 << 1;
    /// <summary>l: list commands.</summary>
    public const int List = 1 << 2;
    /// <summary>h: hash commands.</summary>
    public const int Hash = 1 << 4;
    /// <summary>x: a key expired.</summary>
    public const int Expired = 1 << 6;
    /// <summary>e: a key was evicted.</summary>
    public const int Evicted = 1 << 7;
    /// <summary>n: a key was created.</summary>
    public const int New = 1 << 10;
    /// <summary>K: keyspace channels.</summary>
    public const int Keyspace = 1 << 11;
    /// <summary>E: keyevent channels.</summary>
    public const int Keyevent = 1 << 12;

    // A: every class but n and m, as in Redis.
    private const int All = (1 << 10) - 1;

    private int _flags;

    /// <summary>The enabled classes; 0 sends nothing.</summary>
    public int Flags
    {
        get => Volatile.Read(ref _flags);
        set => Volatile.Write(ref _flags, value);
    }

    /// <summary>Sends one message on a channel (the node's pub/sub); unset, nothing is sent.</summary>
    public Action<byte[], byte[]>? Publish { get; set; }

    /// <summary>Reads Redis's flag letters; false when one is unknown.</summary>
    public static bool TryParse(string text, out int flags)
    {
        flags = 0;
        foreach (var letter in text)
        {
            if (letter == 'A') flags |= All;
            else if (Letters.IndexOf(letter) is var bit and >= 0) flags |= 1 << bit;
            else return false;
        }

        return true;
    }

    /// <summary>The flags as Redis's CONFIG GET shows them.</summary>
    public static string Format(int flags)
    {
        var text = new StringBuilder();
        if ((flags & All) == All) text.Append('A');
        for (var bit = 0; bit < Letters.Length; bit++)
        {
            var inAll = (1 << bit & All) != 0;
            if ((flags & (1 << bit)) != 0 && !(inAll && (flags & All) == All)) text.Append(Letters[bit]);
        }

        return text.ToString();
    }

    /// <summary>Sends <paramref name="event"/> of class <paramref name="type"/> for <paramref name="key"/> when that class is enabled.</summary>
    public void Notify(int type, string @event, byte[] key)
    {
        var flags = Flags;
        if ((flags & type) == 0 || Publish is not { } publish) return;
        var name = Encoding.ASCII.GetBytes(@event);
        if ((flags & Keyspace) != 0) publish([.. "__keyspace@0__:"u8, .. key], name);
        if ((flags & Keyevent) != 0) publish([.. "__keyevent@0__:"u8, .. name], key);
    }
}
