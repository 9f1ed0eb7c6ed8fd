using Orleans.Runtime.Services;

namespace Atelier.Grains.Models;

/// <summary>Reaches the <see cref="IModelHostService"/> of a given silo (Orleans' grain service client).</summary>
public interface IModelHostServiceClient
{
    /// <summary>The model host service of <paramref name="silo"/>.</summary>
    IModelHostService ForSilo(SiloAddress silo);
}

/// <inheritdoc cref="IModelHostServiceClient"/>
internal sealed class ModelHostServiceClient(IServiceProvider services)
    : GrainServiceClient<IModelHostService>(services), IModelHostServiceClient
{
    public IModelHostService ForSilo(SiloAddress silo) => GetGrainService(silo);
}
