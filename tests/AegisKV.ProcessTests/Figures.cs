using Xunit.Abstractions;

namespace AegisKV.ProcessTests;

/// <summary>
/// Figures a test reports (acknowledged and found counts, timings) go to the test's output and, when the
/// environment variable <c>AEGIS_TEST_FIGURES</c> names a file, are appended there too: the test runner shows
/// nothing of a test that passes, and CI prints that file after the run.
/// </summary>
internal static class Figures
{
    private static readonly Lock Gate = new();
    private static string? _lastTest;

    public static void Report(ITestOutputHelper output, string test, string text)
    {
        output.WriteLine(text);
        if (Environment.GetEnvironmentVariable("AEGIS_TEST_FIGURES") is not { Length: > 0 } path) return;
        lock (Gate)
        {
            // The test's name once, then its figures below it.
            var header = test == _lastTest ? "" : test + "\n";
            _lastTest = test;
            File.AppendAllText(path, $"{header}  {text.TrimEnd().Replace("\n", "\n    ", StringComparison.Ordinal)}\n");
        }
    }
}
