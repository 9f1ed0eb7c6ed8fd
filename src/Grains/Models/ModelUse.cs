using Atelier.Grains.Memory;
using Atelier.Models.Adapters;

namespace Atelier.Grains.Models;

/// <summary>
/// A loaded model held for use: while it is not disposed the model cannot be evicted. Obtained from
/// <see cref="ModelHost.AcquireAsync{TModel}"/>.
/// </summary>
public sealed class ModelUse<TModel> : IDisposable
    where TModel : LoadedModel
{
    private MemoryLease.UseScope _scope;
    private bool _disposed;

    internal ModelUse(TModel model, MemoryLease.UseScope scope)
    {
        Model = model;
        _scope = scope;
    }

    public TModel Model { get; }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _scope.Dispose();
        }
    }
}
