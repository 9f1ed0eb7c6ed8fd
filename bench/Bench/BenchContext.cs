namespace Atelier.Bench;

/// <summary>What a benchmark scenario gets: arguments, the repository root, the setup cache and an output writer.</summary>
internal sealed class BenchContext(string repositoryRoot, IReadOnlyList<string> arguments, TextWriter output)
{
    /// <summary>The repository root (the folder holding <c>Orleans.sln</c>).</summary>
    public string RepositoryRoot { get; } = repositoryRoot;

    /// <summary>The setup cache, <c>.atelier/</c> under the repository root unless <c>ATELIER_HOME</c> says otherwise.</summary>
    public string CacheRoot { get; } = Environment.GetEnvironmentVariable("ATELIER_HOME") is { Length: > 0 } home
        ? home
        : Path.Combine(repositoryRoot, ".atelier");

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
