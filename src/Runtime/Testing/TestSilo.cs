using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Testing;

/// <summary>One silo of a <see cref="TestCluster"/>: its own service provider and runtime.</summary>
public sealed class TestSilo
{
    internal TestSilo(ServiceProvider services)
    {
        Services = services;
        Runtime = services.GetRequiredService<SiloRuntime>();
    }

    /// <summary>The silo's service provider.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The silo's runtime.</summary>
    public SiloRuntime Runtime { get; }

    /// <summary>The silo's address.</summary>
    public SiloAddress Address => Runtime.Address;

    /// <summary>References whose calls start from this silo.</summary>
    public IGrainFactory GrainFactory => Runtime.GrainFactory;

    internal ServiceProvider Provider => (ServiceProvider)Services;
}
