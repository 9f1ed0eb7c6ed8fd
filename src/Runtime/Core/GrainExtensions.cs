namespace Atelier.Runtime;

/// <summary>Orleans-style helpers on grains and grain references.</summary>
public static class GrainExtensions
{
    /// <summary>The string key of a grain (inside the grain: <c>this.GetPrimaryKeyString()</c>) or of a reference.</summary>
    public static string GetPrimaryKeyString(this IAddressable grain) => GetGrainId(grain).Key;

    /// <summary>The grain id of a grain or of a reference.</summary>
    public static GrainId GetGrainId(this IAddressable grain) => grain switch
    {
        Grain g => g.GrainId,
        GrainProxy p => p.Id,
        null => throw new ArgumentNullException(nameof(grain)),
        _ => throw new ArgumentException("Not a grain or a grain reference created by the runtime.", nameof(grain)),
    };

    /// <summary>A serializable reference to a grain (pass it around, turn it back with <see cref="IGrainFactory.GetGrain{TGrainInterface}(GrainReference)"/>).</summary>
    public static GrainReference AsReference(this IAddressable grain)
    {
        var id = GetGrainId(grain);
        return new GrainReference(id.Type, id.Key);
    }
}
