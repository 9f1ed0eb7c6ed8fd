namespace Atelier.Runtime;

/// <summary>Anything with a grain identity: grain instances and grain references (proxies).</summary>
#pragma warning disable CA1040 // Marker interface, as in Orleans; extension methods hang off it.
public interface IAddressable;
#pragma warning restore CA1040
