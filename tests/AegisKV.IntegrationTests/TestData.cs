namespace AegisKV.IntegrationTests;

/// <summary>
/// Where this test run keeps its files: one directory per run, removed with everything in it when the test process
/// exits. A node's data directory outlives the node (tests restart nodes on it), so no single test can delete it.
/// </summary>
internal static class TestData
{
    /// <summary>The run's directory.</summary>
    public static string Root { get; } = CreateRoot();

    /// <summary>A new path below <see cref="Root"/>, not yet created: a data directory, or a file with <paramref name="extension"/>.</summary>
    public static string NewPath(string extension = "") => Path.Combine(Root, Guid.NewGuid().ToString("N") + extension);

    private static string CreateRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), $"aegis-it-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file still open at exit: the operating system's temporary directory cleanup takes it.
            }
        };
        return root;
    }
}
