namespace Atelier.Runtime;

/// <summary>
/// On a grain class: how long an activation may stay idle (no calls) before it is deactivated, overriding
/// <see cref="SiloRuntimeOptions.CollectionAge"/>. The age is the sum of the properties; <see cref="AlwaysActive"/>
/// exempts the type from idle collection.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class CollectionAgeLimitAttribute : Attribute
{
    /// <summary>Hours of idleness. Default 0.</summary>
    public double Hours { get; set; }

    /// <summary>Minutes of idleness. Default 0.</summary>
    public double Minutes { get; set; }

    /// <summary>Seconds of idleness. Default 0.</summary>
    public double Seconds { get; set; }

    /// <summary>Never collect activations of this type when idle. Default false.</summary>
    public bool AlwaysActive { get; set; }

    /// <summary>The configured age, or null when nothing was set.</summary>
    internal TimeSpan? Age
    {
        get
        {
            var age = TimeSpan.FromHours(Hours) + TimeSpan.FromMinutes(Minutes) + TimeSpan.FromSeconds(Seconds);
            return age > TimeSpan.Zero ? age : null;
        }
    }
}
