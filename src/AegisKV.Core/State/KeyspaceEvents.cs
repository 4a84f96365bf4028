using System.Text;

namespace AegisKV.Core.State;

/// <summary>
/// Keyspace notifications as Redis sends them (<c>notify-keyspace-events</c>): for each enabled event a message on
/// <c>__keyspace@0__:key</c> naming the event, and one on <c>__keyevent@0__:event</c> naming the key. Node-wide and
/// settable at run time; shards call <see cref="Notify"/> when they run a command, expire or evict a key.
/// </summary>
public sealed class KeyspaceEvents
{
    /// <summary>K: keyspace channels.</summary>
    public const int Keyspace = 1;
    /// <summary>E: keyevent channels.</summary>
    public const int Keyevent = 2;
    /// <summary>g: generic commands (DEL, EXPIRE, RENAME, …).</summary>
    public const int Generic = 4;
    /// <summary>$: string commands.</summary>
    public const int String = 8;
    /// <summary>l: list commands.</summary>
    public const int List = 16;
    /// <summary>h: hash commands.</summary>
    public const int Hash = 32;
    /// <summary>x: a key expired.</summary>
    public const int Expired = 64;
    /// <summary>e: a key was evicted.</summary>
    public const int Evicted = 128;

    // Redis's letters; s, z, t, m, n and d name types or events AegisKV does not have and are accepted silently.
    private const string Letters = "KEg$lhxe";
    private const string Ignored = "sztmnd";
    private const int All = Generic | String | List | Hash | Expired | Evicted;

    private int _flags;

    /// <summary>The enabled classes; 0 sends nothing.</summary>
    public int Flags
    {
        get => Volatile.Read(ref _flags);
        set => Volatile.Write(ref _flags, value);
    }

    /// <summary>Sends one message on a channel (the node's pub/sub); unset, nothing is sent.</summary>
    public Action<byte[], byte[]>? Publish { get; set; }

    /// <summary>Reads Redis's flag letters; false when one is unknown. Without K or E nothing is sent, as in Redis.</summary>
    public static bool TryParse(string text, out int flags)
    {
        flags = 0;
        foreach (var letter in text)
        {
            if (letter == 'A') flags |= All;
            else if (Letters.IndexOf(letter) is var bit and >= 0) flags |= 1 << bit;
            else if (Ignored.IndexOf(letter) < 0) return false;
        }

        if ((flags & (Keyspace | Keyevent)) == 0) flags = 0;
        return true;
    }

    /// <summary>The flags as CONFIG GET shows them.</summary>
    public static string Format(int flags)
    {
        var text = new StringBuilder();
        if ((flags & All) == All) text.Append('A');
        for (var bit = 2; bit < Letters.Length; bit++)
            if ((flags & All) != All && (flags & (1 << bit)) != 0) text.Append(Letters[bit]);
        if ((flags & Keyspace) != 0) text.Append('K');
        if ((flags & Keyevent) != 0) text.Append('E');
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
