namespace Atelier.Runtime;

/// <summary>
/// Optional product hook (registered in DI) that adds device memory figures and resident models to the load
/// the runtime publishes for its silo.
/// </summary>
public interface ISiloLoadSource
{
    /// <summary>Returns <paramref name="runtimeLoad"/> enriched, e.g. <c>runtimeLoad with { DeviceBytesUsed = ... }</c>.</summary>
    SiloLoad Enrich(SiloLoad runtimeLoad);
}
