using System.Globalization;

namespace Atelier.Runtime;

/// <summary>
/// Where a silo can be reached plus the generation (start epoch) of that process, so a restarted silo at the
/// same endpoint is a different silo (entries of the dead one can be taken over).
/// </summary>
/// <param name="Endpoint">Transport endpoint, e.g. <c>10.0.0.7:11111</c>, or a name in process.</param>
/// <param name="Generation">Start epoch of the silo process (Unix milliseconds by default).</param>
public readonly record struct SiloAddress(string Endpoint, long Generation)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Endpoint}@{Generation}");

    /// <summary>Parses the <see cref="ToString"/> form <c>endpoint@generation</c>.</summary>
    public static SiloAddress Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var at = value.LastIndexOf('@');
        if (at <= 0 || !long.TryParse(value.AsSpan(at + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var generation))
        {
            throw new FormatException($"'{value}' is not a silo address (endpoint@generation).");
        }

        return new SiloAddress(value[..at], generation);
    }
}
