namespace AegisKV.Benchmarks;

/// <summary>
/// The most a benchmark may allocate per operation, in bytes. <c>build.ps1 bench -Micro</c> fails when BenchmarkDotNet
/// measures more, and the allocation-budget tests check the same bound on every test run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AllocationBudgetAttribute(int bytes) : Attribute
{
    /// <summary>Bytes per operation.</summary>
    public int Bytes { get; } = bytes;
}
