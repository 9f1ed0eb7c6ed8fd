namespace Atelier.Runtime.Tests.Grains;

public interface IModelHostGrain : IPerSiloGrain
{
    Task<string> Silo();

    Task<int> Calls();
}

[CollectionAgeLimit(AlwaysActive = true)]
internal sealed class ModelHostGrain : Grain, IModelHostGrain
{
    private int _calls;

    public ModelHostGrain(Probe probe) => probe.OnConstructed();

    Task<string> IModelHostGrain.Silo()
    {
        _calls++;
        return Task.FromResult(Silo.ToString());
    }

    public Task<int> Calls() => Task.FromResult(++_calls);
}
