namespace Atelier.Runtime.Tests.Grains;

public interface IFailingActivationGrain : IGrainWithStringKey
{
    Task<int> Attempt();
}

/// <summary>The first activation fails in OnActivateAsync; later ones succeed.</summary>
internal sealed class FailingActivationGrain(Probe probe) : Grain, IFailingActivationGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.OnActivated();
        return probe.Activations == 1 ? throw new InvalidDataException("first activation fails") : Task.CompletedTask;
    }

    public Task<int> Attempt() => Task.FromResult(probe.Activations);
}
