namespace Atelier.Models.Tests.Support;

/// <summary>The setup cache (<c>ATELIER_HOME</c>, else the nearest ancestor's <c>.atelier/</c>) and the files the tests need from it.</summary>
internal static class TestCache
{
    public static string Root { get; } = Find();

    /// <summary>The real quint8 ISNet model registered by setup as <c>isnet</c>.</summary>
    public static string IsnetModelPath => Require(Path.Combine(Root, "models", "isnet", "model.onnx"));

    public static string NodeModules => Require(Path.Combine(Root, "node", "node_modules", "onnxruntime-node"), directory: true)[..^"/onnxruntime-node".Length];

    private static string Require(string path, bool directory = false) =>
        (directory ? Directory.Exists(path) : File.Exists(path))
            ? path
            : throw new InvalidOperationException($"{path} is missing: run './build.sh setup' first.");

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("ATELIER_HOME") is { Length: > 0 } home)
        {
            return home;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ".atelier");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("No .atelier/ setup cache found: run './build.sh setup' first.");
    }
}
