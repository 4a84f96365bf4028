namespace AegisKV.Protocol;

/// <summary>
/// Size limits the <see cref="RespReader"/> enforces on client requests, mirroring Redis's
/// <c>proto-max-bulk-len</c> and its fixed inline and multibulk limits.
/// </summary>
public sealed record RespLimits
{
    private readonly long _maxBulkLength = 512L * 1024 * 1024;
    private readonly int _maxInlineLength = 64 * 1024;
    private readonly int _maxArrayLength = 1024 * 1024;

    /// <summary>
    /// Largest accepted bulk string, in bytes (Redis <c>proto-max-bulk-len</c>). Defaults to 512 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long MaxBulkLength
    {
        get => _maxBulkLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxBulkLength = value;
        }
    }

    /// <summary>
    /// Largest accepted inline command line, in bytes, not counting its "\n" or "\r\n". Defaults to 64 KiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxInlineLength
    {
        get => _maxInlineLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxInlineLength = value;
        }
    }

    /// <summary>
    /// Largest accepted number of elements in a request array. Defaults to 1,048,576.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxArrayLength
    {
        get => _maxArrayLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxArrayLength = value;
        }
    }

    /// <summary>The Redis defaults: 512 MiB bulk strings, 64 KiB inline lines, 1,048,576 array elements.</summary>
    public static RespLimits Default { get; } = new();
}
