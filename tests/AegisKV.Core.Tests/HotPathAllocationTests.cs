using System.Reflection;
using BenchmarkDotNet.Attributes;
using AegisKV.Benchmarks;
using Xunit.Abstractions;

namespace AegisKV.Core.Tests;

/// <summary>
/// The allocation budgets of the micro-benchmarks (bench/AegisKV.Benchmarks), checked on every test run: each
/// benchmark runs warm on this thread and may allocate no more per operation than its budget.
/// </summary>
public sealed class HotPathAllocationTests(ITestOutputHelper output)
{
    private const int Warmup = 2_000, Measured = 20_000;

    public static TheoryData<string> Benchmarks()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(AllocationBudgetAttribute).Assembly.GetTypes())
        {
            foreach (var method in type.GetMethods())
            {
                if (method.GetCustomAttribute<AllocationBudgetAttribute>() is not null) data.Add($"{type.Name}.{method.Name}");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Benchmarks))]
    public void A_hot_path_operation_should_allocate_no_more_than_its_budget(string name)
    {
        var typeName = name[..name.IndexOf('.')];
        var type = typeof(AllocationBudgetAttribute).Assembly.GetTypes().Single(t => t.Name == typeName);
        var method = type.GetMethod(name[(typeName.Length + 1)..])!;
        var budget = method.GetCustomAttribute<AllocationBudgetAttribute>()!.Bytes;
        var instance = Activator.CreateInstance(type)!;
        Invoke<GlobalSetupAttribute>(type, instance);
        try
        {
            var run = Loop(method, instance);
            run(Warmup);
            var before = GC.GetAllocatedBytesForCurrentThread();
            run(Measured);
            var perOperation = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / Measured;
            output.WriteLine($"{name}: {perOperation:F1} B per operation (budget {budget} B)");
            // Within half a byte: over a whole run the thread's counter can show a few bytes that are not the benchmark's.
            Assert.True(perOperation <= budget + 0.5, $"{name} allocates {perOperation:F1} B per operation, over its budget of {budget} B");
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
    }

    // A loop over the benchmark through a delegate of its own signature: no boxing of its result.
    private static Action<int> Loop(MethodInfo method, object instance)
    {
        if (method.ReturnType == typeof(int))
        {
            var run = method.CreateDelegate<Func<int>>(instance);
            return count =>
            {
                for (var i = 0; i < count; i++) run();
            };
        }

        var other = method.CreateDelegate<Func<object>>(instance);
        return count =>
        {
            for (var i = 0; i < count; i++) other();
        };
    }

    private static void Invoke<TAttribute>(Type type, object instance) where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods())
        {
            if (method.GetCustomAttribute<TAttribute>() is not null) method.Invoke(instance, null);
        }
    }
}
