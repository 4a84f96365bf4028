using System.Reflection;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using AegisKV.Benchmarks;

// Runs the micro-benchmarks, all of them unless a --filter is given (BenchmarkDotNet's arguments pass through), then
// checks each benchmark's measured allocation per operation against its budget; the exit code is 1 when one is over,
// or when nothing ran.
if (!args.Contains("--filter")) args = [.. args, "--filter", "*"];
var summaries = BenchmarkSwitcher.FromAssembly(typeof(AllocationBudgetAttribute).Assembly).Run(args);
var over = 0;
var checkedCount = 0;
Console.WriteLine();
Console.WriteLine("Allocation per operation against budget:");
foreach (var summary in summaries)
{
    foreach (var report in summary.Reports)
    {
        var method = report.BenchmarkCase.Descriptor.WorkloadMethod;
        var budget = method.GetCustomAttribute<AllocationBudgetAttribute>();
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        if (budget is null || allocated is null) continue;
        checkedCount++;
        var within = allocated <= budget.Bytes;
        if (!within) over++;
        Console.WriteLine($"  {method.DeclaringType!.Name}.{method.Name}: {allocated} B (budget {budget.Bytes} B) {(within ? "ok" : "OVER")}");
    }
}

return over == 0 && checkedCount > 0 ? 0 : 1;
