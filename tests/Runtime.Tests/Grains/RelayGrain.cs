namespace Atelier.Runtime.Tests.Grains;

/// <summary>A grain that calls another grain, to see what a caller learns about a failure two calls deep.</summary>
public interface IRelayGrain : IGrainWithStringKey
{
    Task<string> Silo();

    Task FailThrough(string remoteKey, string message);
}

[PreferLocalPlacement]
internal sealed class RelayGrain : Grain, IRelayGrain
{
    Task<string> IRelayGrain.Silo() => Task.FromResult(Silo.ToString());

    public Task FailThrough(string remoteKey, string message) => GrainFactory.GetGrain<IRemoteGrain>(remoteKey).Fail(message);
}
