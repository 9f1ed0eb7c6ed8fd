using Atelier.Grains;
using Atelier.Models.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Health;

/// <summary>Ready when the model store answers and the default segmenter is registered (else no session can open).</summary>
internal sealed class ModelStoreReadinessCheck(IModelStore store, IOptions<Atelier.Grains.SessionOptions> sessions) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var model = sessions.Value.DefaultModel;
        try
        {
            return await store.GetAsync(model, cancellationToken).ConfigureAwait(false) is null
                ? HealthCheckResult.Unhealthy($"The default segmenter '{model}' is not registered in the model store (run setup).")
                : HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Atelier.Models.Manifest.ModelManifestException)
        {
            return HealthCheckResult.Unhealthy($"The model store cannot be read: {e.Message}");
        }
    }
}
