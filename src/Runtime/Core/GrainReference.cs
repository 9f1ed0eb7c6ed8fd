namespace Atelier.Runtime;

/// <summary>
/// A cheap, serializable, location-transparent handle on a grain: the grain interface's full name and the key.
/// Turn it back into a callable proxy with <see cref="IGrainFactory.GetGrain{TGrainInterface}(GrainReference)"/>.
/// </summary>
/// <param name="InterfaceType">Full name of the grain interface.</param>
/// <param name="Key">The grain key (for per-silo grains: the silo address).</param>
public sealed record GrainReference(string InterfaceType, string Key)
{
    /// <summary>The grain id this reference addresses.</summary>
    public GrainId GrainId => new(InterfaceType, Key);

    /// <inheritdoc />
    public override string ToString() => $"{InterfaceType}/{Key}";
}
