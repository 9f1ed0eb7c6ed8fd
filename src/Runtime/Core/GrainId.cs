namespace Atelier.Runtime;

/// <summary>The identity of a grain: its grain type (the interface's full name) and its key.</summary>
/// <param name="Type">Grain type: the full name of the grain interface, identical on every silo.</param>
/// <param name="Key">The string key.</param>
public readonly record struct GrainId(string Type, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Type}/{Key}";
}
