namespace Atelier.Runtime.Tests.Grains;

public interface IResourceGrain : IGrainWithStringKey
{
    Task<string> Silo();
}

[ResourceAwarePlacement]
internal sealed class ResourceGrain : Grain, IResourceGrain
{
    Task<string> IResourceGrain.Silo() => Task.FromResult(Silo.ToString());
}

/// <summary>Device figures for one silo: the model is resident or not, with the given free bytes.</summary>
internal sealed class FakeDeviceLoad(string model, bool resident, long freeBytes) : ISiloLoadSource
{
    public SiloLoad Enrich(SiloLoad runtimeLoad) => runtimeLoad with
    {
        ResidentModels = resident ? [model] : [],
        DeviceBytesBudget = 8L << 30,
        DeviceBytesUsed = (8L << 30) - freeBytes,
    };
}
