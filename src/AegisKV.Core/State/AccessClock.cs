namespace AegisKV.Core.State;

/// <summary>
/// Access time and frequency of keys, as Redis keeps them for LRU and LFU eviction and OBJECT
/// IDLETIME/FREQ: a second-resolution clock, and an 8-bit logarithmic counter that grows ever more
/// slowly with accesses and decays by one per minute without any.
/// </summary>
internal static class AccessClock
{
    /// <summary>The counter of a new key, so it is not evicted before it had a chance to be read.</summary>
    public const byte NewKeyFrequency = 5;

    // Redis's defaults: lfu-log-factor 10, lfu-decay-time 1 (minute).
    private const int LogFactor = 10;
    private const int DecayMinutes = 1;

    /// <summary>The clock wraps at 2^24 seconds (194 days, as Redis's LRU clock): each key keeps it in 24 bits.</summary>
    public const int Mask = (1 << 24) - 1;

    /// <summary>Seconds since an arbitrary start, modulo 2^24, for idle times within this process.</summary>
    public static int Now => (int)(Environment.TickCount64 / 1000 & Mask);

    /// <summary>Seconds from <paramref name="accessedAt"/> to <paramref name="now"/>, across a wrap of the clock.</summary>
    public static int Since(int accessedAt, int now) => (now - accessedAt) & Mask;

    /// <summary>The counter after the decay since <paramref name="accessedAt"/>.</summary>
    public static byte Decayed(byte frequency, int accessedAt, int now)
    {
        var periods = Since(accessedAt, now) / 60 / DecayMinutes;
        return periods <= 0 ? frequency : (byte)Math.Max(0, frequency - periods);
    }

    /// <summary>The counter after one more access.</summary>
    public static byte Incremented(byte frequency)
    {
        if (frequency == byte.MaxValue) return frequency;
        var baseline = Math.Max(0, frequency - NewKeyFrequency);
        return Random.Shared.NextDouble() < 1.0 / (baseline * LogFactor + 1) ? (byte)(frequency + 1) : frequency;
    }
}
