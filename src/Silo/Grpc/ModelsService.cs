using Atelier.Grains;
using Atelier.Models.Store;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Security;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Silo.Grpc;

/// <summary>
/// <c>atelier.v1.Models</c>: list, load and unload, as <c>/v1/models</c> does them (a tenant sees shared models and
/// its own; another tenant's model is NOT_FOUND as if it did not exist).
/// </summary>
internal sealed class ModelsService(IModelStore store, ClusterView cluster)
{
    public const string ServiceName = "atelier.v1.Models";

    public Func<GrpcCall, Task>? Find(string method) => method switch
    {
        "List" => ListAsync,
        "Load" => LoadAsync,
        "Unload" => UnloadAsync,
        _ => null,
    };

    private async Task ListAsync(GrpcCall call)
    {
        await call.ReadRequestAsync(V1.ListModelsRequest.Parser).ConfigureAwait(false);
        var identity = TenantIdentity.Of(call.Http);
        var entries = await store.ListAsync(call.Token).ConfigureAwait(false);
        var residency = await ResidencyAsync(call.Token).ConfigureAwait(false);
        var reply = new V1.ListModelsReply();
        foreach (var entry in entries)
        {
            if (IsVisible(entry, identity))
            {
                reply.Models.Add(GrpcConvert.Model(ModelResponse.From(entry, residency.TryGetValue(entry.Id, out var r) ? r : [])));
            }
        }

        await call.WriteAsync(reply).ConfigureAwait(false);
    }

    private async Task LoadAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.LoadModelRequest.Parser).ConfigureAwait(false);
        var entry = await FindAsync(call, request.Model).ConfigureAwait(false);
        var (grain, _) = await TargetAsync(request.Silo, call.Token).ConfigureAwait(false);
        var residency = await grain.Load(entry.Id).WaitAsync(call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Residency(entry.Id, ResidencyResponse.From(residency))).ConfigureAwait(false);
    }

    private async Task UnloadAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.UnloadModelRequest.Parser).ConfigureAwait(false);
        var entry = await FindAsync(call, request.Model).ConfigureAwait(false);
        var (grain, silo) = await TargetAsync(request.Silo, call.Token).ConfigureAwait(false);
        var unloaded = await grain.Unload(entry.Id).WaitAsync(call.Token).ConfigureAwait(false);
        await call.WriteAsync(new V1.UnloadModelReply { Model = entry.Id, Silo = silo, Unloaded = unloaded }).ConfigureAwait(false);
    }

    private async Task<(IModelHostService Grain, string Name)> TargetAsync(string silo, CancellationToken cancellationToken) =>
        await cluster.FindModelHostAsync(silo.Length == 0 ? null : silo, cancellationToken).ConfigureAwait(false)
        ?? throw Errors.RequestRejectedException.Invalid("silo", $"no active silo named '{silo}'");

    private async Task<ModelEntry> FindAsync(GrpcCall call, string id)
    {
        var entry = ModelEndpoints.IsWellFormedId(id) ? await store.GetAsync(id, call.Token).ConfigureAwait(false) : null;
        return entry is not null && IsVisible(entry, TenantIdentity.Of(call.Http))
            ? entry
            : throw new ModelNotFoundException($"model '{(id.Length > 64 ? id[..64] : id)}' does not exist");
    }

    private static bool IsVisible(ModelEntry entry, TenantIdentity identity) =>
        entry.Manifest.Tenant is null || identity.IsAdmin || entry.Manifest.Tenant == identity.Tenant;

    private async Task<Dictionary<string, List<ModelResidency>>> ResidencyAsync(CancellationToken cancellationToken)
    {
        var byModel = new Dictionary<string, List<ModelResidency>>(StringComparer.Ordinal);
        foreach (var member in await cluster.GetMembersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (member.Stats is null)
            {
                continue;
            }

            foreach (var residency in await cluster.ModelHost(member.Address).GetResidency().ConfigureAwait(false))
            {
                if (!byModel.TryGetValue(residency.ModelId, out var list))
                {
                    byModel[residency.ModelId] = list = [];
                }

                list.Add(residency);
            }
        }

        return byModel;
    }
}
