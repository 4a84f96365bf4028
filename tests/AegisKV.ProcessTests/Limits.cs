namespace AegisKV.ProcessTests;

/// <summary>Time bounds shared by the process tests; every wait in a test is bounded by one of these.</summary>
public static class Limits
{
    /// <summary>Upper bound for a whole test; the <c>Timeout</c> of each test is a little above it.</summary>
    public static readonly TimeSpan Test = TimeSpan.FromSeconds(55);

    /// <summary>From process start to <c>/ready</c>.</summary>
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);

    /// <summary>A CLI run (usage error, --version, wal verify) to exit.</summary>
    public static readonly TimeSpan Command = TimeSpan.FromSeconds(20);

    /// <summary>A killed process to be reaped.</summary>
    public static readonly TimeSpan Reap = TimeSpan.FromSeconds(10);

    /// <summary>The <c>Timeout</c> attribute value for every test, in milliseconds.</summary>
    public const int TestTimeoutMs = 60_000;

    /// <summary>The flags every node in these tests is started with unless a test says otherwise.</summary>
    public static readonly string[] NodeFlags = ["--shards", "8", "--wal", "fsync"];

    /// <summary>A token that cancels when a test has run for <see cref="Test"/>.</summary>
    public static CancellationTokenSource TestBudget() => new(Test);
}
