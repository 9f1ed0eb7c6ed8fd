namespace Atelier.Bench;

/// <summary>What a benchmark scenario gets: arguments, the repository root, the setup cache and an output writer.</summary>
internal sealed class BenchContext(string repositoryRoot, IReadOnlyList<string> arguments, TextWriter output)
{
    /// <summary>The repository root (the folder holding <c>Orleans.sln</c>).</summary>
    public string RepositoryRoot { get; } = repositoryRoot;

    /// <summary>
    /// The setup cache: <c>ATELIER_HOME</c> when set, else the <c>.atelier/</c> of the nearest ancestor (as the
    /// product finds it, <see cref="Atelier.Models.Store.AtelierCache"/>), else <c>.atelier/</c> under the repository root.
    /// </summary>
    public string CacheRoot { get; } = Atelier.Models.Store.AtelierCache.FindRoot() ?? Path.Combine(repositoryRoot, ".atelier");

    /// <summary>Arguments after the scenario name.</summary>
    public IReadOnlyList<string> Arguments { get; } = arguments;

    public TextWriter Output { get; } = output;

    /// <summary>Median of a sample (the sample is sorted in place).</summary>
    public static double Median(double[] sample)
    {
        Array.Sort(sample);
        var mid = sample.Length / 2;
        return sample.Length % 2 == 1 ? sample[mid] : (sample[mid - 1] + sample[mid]) / 2;
    }
}
