using Atelier.Grains;
using Atelier.Models.Store;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Security;
using Grpc.Core;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Silo.Grpc;

/// <summary>
/// <c>atelier.v1.Models</c> on its generated base: list, load and unload, as <c>/v1/models</c> does them (a tenant sees shared models and
/// its own; another tenant's model is NOT_FOUND as if it did not exist).
/// </summary>
internal sealed class ModelsService(IModelStore store, ClusterView cluster) : V1.Models.ModelsBase
{
    public const string ServiceName = "atelier.v1.Models";

    public override async Task<V1.ListModelsReply> List(V1.ListModelsRequest request, ServerCallContext context)
    {
        var identity = TenantIdentity.Of(context.GetHttpContext());
        var entries = await store.ListAsync(context.CancellationToken).ConfigureAwait(false);
        var residency = await ResidencyAsync(context.CancellationToken).ConfigureAwait(false);
        var reply = new V1.ListModelsReply();
        foreach (var entry in entries)
        {
            if (IsVisible(entry, identity))
            {
                reply.Models.Add(GrpcConvert.Model(ModelResponse.From(entry, residency.TryGetValue(entry.Id, out var r) ? r : [])));
            }
        }

        return reply;
    }

    public override async Task<V1.ModelResidency> Load(V1.LoadModelRequest request, ServerCallContext context)
    {
        var entry = await FindAsync(context, request.Model).ConfigureAwait(false);
        var (grain, _) = await TargetAsync(request.Silo, context.CancellationToken).ConfigureAwait(false);
        var residency = await grain.Load(entry.Id).WaitAsync(context.CancellationToken).ConfigureAwait(false);
        return GrpcConvert.Residency(entry.Id, ResidencyResponse.From(residency));
    }

    public override async Task<V1.UnloadModelReply> Unload(V1.UnloadModelRequest request, ServerCallContext context)
    {
        var entry = await FindAsync(context, request.Model).ConfigureAwait(false);
        var (grain, silo) = await TargetAsync(request.Silo, context.CancellationToken).ConfigureAwait(false);
        var unloaded = await grain.Unload(entry.Id).WaitAsync(context.CancellationToken).ConfigureAwait(false);
        return new V1.UnloadModelReply { Model = entry.Id, Silo = silo, Unloaded = unloaded };
    }

    private async Task<(IModelHostService Grain, string Name)> TargetAsync(string silo, CancellationToken cancellationToken) =>
        await cluster.FindModelHostAsync(silo.Length == 0 ? null : silo, cancellationToken).ConfigureAwait(false)
        ?? throw Errors.RequestRejectedException.Invalid("silo", $"no active silo named '{silo}'");

    private async Task<ModelEntry> FindAsync(ServerCallContext context, string id)
    {
        var entry = ModelEndpoints.IsWellFormedId(id) ? await store.GetAsync(id, context.CancellationToken).ConfigureAwait(false) : null;
        return entry is not null && IsVisible(entry, TenantIdentity.Of(context.GetHttpContext()))
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
