namespace AegisKV.Fuzz;

/// <summary>
/// One reader of untrusted bytes under fuzzing. <see cref="Run"/> returns when the reader handled the input as
/// designed (read it, or refused it with the error it documents) and throws anything else, which afl-fuzz records
/// as a crash and the corpus tests fail on.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The name afl-fuzz runs and the corpus folders use.</summary>
    public abstract string Name { get; }

    /// <summary>Feeds one input to the reader.</summary>
    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>Well-formed inputs the fuzzer starts from, each with a file name.</summary>
    public abstract IEnumerable<(string Name, byte[] Data)> Seeds();
}
