using AegisKV.Fuzz;
using SharpFuzz;

// aegis-fuzz TARGET                 run TARGET under afl-fuzz (one input read from stdin when run alone)
// aegis-fuzz seed DIR               write every target's seed corpus to DIR/TARGET/
// aegis-fuzz replay TARGET PATH...  run files (or every file of folders) through TARGET; exit 1 if any is a finding
// aegis-fuzz list                   name the targets
switch (args)
{
    case ["list"]:
        foreach (var target in FuzzTargets.All) Console.WriteLine(target.Name);
        return 0;
    case ["seed", var directory]:
        foreach (var target in FuzzTargets.All)
        {
            var folder = Directory.CreateDirectory(Path.Combine(directory, target.Name)).FullName;
            foreach (var (name, data) in target.Seeds()) File.WriteAllBytes(Path.Combine(folder, name), data);
        }

        return 0;
    case ["replay", var name, .. var paths] when FuzzTargets.Find(name) is { } target:
        return Replay(target, paths);
    case [var name] when FuzzTargets.Find(name) is { } target:
        // Instrumented code may run only inside Fuzzer.Run, which sets up the coverage map it writes to.
        Fuzzer.Run(stream =>
        {
            using var input = new MemoryStream();
            stream.CopyTo(input);
            target.Run(input.GetBuffer().AsSpan(0, (int)input.Length));
        });
        return 0;
    default:
        Console.Error.WriteLine($"usage: aegis-fuzz list | seed DIR | replay TARGET PATH... | TARGET  (targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))})");
        return 2;
}

static int Replay(FuzzTarget target, string[] paths)
{
    var findings = 0;
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]).Order(StringComparer.Ordinal);
    foreach (var file in files)
    {
        try
        {
            target.Run(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            findings++;
            Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }

    return findings == 0 ? 0 : 1;
}
