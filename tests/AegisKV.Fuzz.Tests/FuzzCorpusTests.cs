using AegisKV.Fuzz;

namespace AegisKV.Fuzz.Tests;

/// <summary>
/// The fuzz targets' inputs as ordinary tests: each target's seeds, the committed seed corpus, and every input a fuzz
/// run found a fault with (fuzz/regressions/TARGET/), which must stay handled as designed.
/// </summary>
public sealed class FuzzCorpusTests
{
    public static TheoryData<string> Targets()
    {
        var names = new TheoryData<string>();
        foreach (var target in FuzzTargets.All) names.Add(target.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeds_should_be_handled_as_designed(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var seeds = target.Seeds().ToList();
        Assert.NotEmpty(seeds);
        foreach (var (_, data) in seeds) target.Run(data);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_committed_corpus_should_be_handled_as_designed(string name)
    {
        var files = Inputs("corpus", name);
        Assert.NotEmpty(files);
        RunAll(name, files);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Inputs_that_once_found_a_fault_should_be_handled_as_designed(string name) => RunAll(name, Inputs("regressions", name));

    [Fact]
    public void Every_regression_folder_should_name_a_target()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "regressions");
        if (!Directory.Exists(root)) return;
        foreach (var folder in Directory.EnumerateDirectories(root))
            Assert.True(FuzzTargets.Find(Path.GetFileName(folder)) is not null, $"{folder} names no fuzz target");
    }

    private static string[] Inputs(string kind, string target)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, kind, target);
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray() : [];
    }

    private static void RunAll(string name, string[] files)
    {
        var target = FuzzTargets.Find(name)!;
        var failures = new List<string>();
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {files.Length} inputs of '{name}' were not handled as designed:\n{string.Join("\n", failures)}");
    }
}
