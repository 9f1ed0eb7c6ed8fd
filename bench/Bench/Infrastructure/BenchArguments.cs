namespace Atelier.Bench.Infrastructure;

/// <summary>The <c>name=value</c> arguments after a benchmark's name.</summary>
internal static class BenchArguments
{
    /// <summary>Parses <paramref name="arguments"/>; names are case-insensitive and must be among <paramref name="known"/>.</summary>
    public static Dictionary<string, string> Parse(IReadOnlyList<string> arguments, string benchmark, params string[] known)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var argument in arguments)
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !known.Contains(argument[..equals], StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{benchmark}: '{argument}' is not name=value with a name of {string.Join(", ", known)}.");
            }

            options[argument[..equals]] = argument[(equals + 1)..];
        }

        return options;
    }
}
