namespace Atelier.Models.Store;

/// <summary>
/// Finds the setup cache: <c>ATELIER_HOME</c> when set, otherwise the <c>.atelier/</c> folder of the
/// nearest ancestor of <see cref="AppContext.BaseDirectory"/>, then of the current directory.
/// </summary>
public static class AtelierCache
{
    /// <summary>The environment variable that overrides the cache location.</summary>
    public const string HomeVariable = "ATELIER_HOME";

    /// <summary>The cache folder, or <see langword="null"/> when none is found.</summary>
    public static string? FindRoot()
    {
        if (Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home)
        {
            return home;
        }

        return FindUpwards(AppContext.BaseDirectory) ?? FindUpwards(Environment.CurrentDirectory);
    }

    private static string? FindUpwards(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".atelier");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
