using Atelier.Grains;
using Atelier.Grains.Models;
using Atelier.Models.Adapters;
using Atelier.Models.Store;
using Atelier.Models.Tensors;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Security;

namespace Atelier.Silo.KServe;

/// <summary>
/// What the protocol front ends (KServe v2 REST and gRPC, SageMaker) share: naming ONNX graphs of registered models,
/// their metadata, readiness, load/unload, and inference. Everything runs through this silo's <see cref="ModelHost"/>:
/// the same loading, device budget, eviction rules (a model in use is never evicted; no room → 503), run queue and
/// metrics as sessions. Protocol runs count under the operation <see cref="Operation"/> at batch priority, so a
/// session's clicks are served first.
/// </summary>
internal sealed class InferenceModels(IModelStore store, ModelHost host)
{
    /// <summary>The operation name protocol runs are counted under in the model host's metrics.</summary>
    public const string Operation = "infer";

    /// <summary>
    /// The graph named <paramref name="name"/> (see <see cref="InferenceTarget"/>) that <paramref name="identity"/> may use;
    /// <paramref name="version"/>, when given, must equal the manifest's version. Throws <see cref="ModelNotFoundException"/>.
    /// </summary>
    public async Task<InferenceTarget> ResolveAsync(string name, string? version, TenantIdentity identity, CancellationToken cancellationToken)
    {
        var target = await FindAsync(name, identity, cancellationToken).ConfigureAwait(false)
            ?? throw new ModelNotFoundException($"model '{Truncate(name)}' does not exist");
        if (version is not null && !string.Equals(version, target.Version, StringComparison.Ordinal))
        {
            throw new ModelNotFoundException($"model '{target.Name}' has no version '{Truncate(version)}' (it has '{target.Version}')");
        }

        return target;
    }

    /// <summary>Every graph the caller may use, by name.</summary>
    public async Task<IReadOnlyList<InferenceTarget>> ListAsync(TenantIdentity identity, CancellationToken cancellationToken)
    {
        var result = new List<InferenceTarget>();
        foreach (var entry in await store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ModelEndpoints.IsVisible(entry, identity))
            {
                result.AddRange(InferenceTarget.Of(entry));
            }
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>True when the target's model is loaded on this silo's device.</summary>
    public bool IsReady(InferenceTarget target)
    {
        foreach (var id in host.ResidentModels())
        {
            if (id == target.ModelId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The graph's inputs and outputs as ONNX Runtime reads them from the file (loads the model if needed).</summary>
    public async Task<(IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs)> SignatureAsync(
        InferenceTarget target, CancellationToken cancellationToken)
    {
        using var use = await host.AcquireAsync<LoadedModel>(target.ModelId, cancellationToken).ConfigureAwait(false);
        var session = Session(use.Model, target);
        return (TensorSignature.InputsOf(session), TensorSignature.OutputsOf(session));
    }

    /// <summary>Loads the target's model onto this silo's device (503 when the budget cannot fit it).</summary>
    public async Task LoadAsync(InferenceTarget target, CancellationToken cancellationToken) =>
        await host.LoadAsync(target.ModelId, silo: string.Empty, cancellationToken).ConfigureAwait(false);

    /// <summary>Unloads the target's model from this silo; false when it was not loaded or is in use.</summary>
    public bool Unload(InferenceTarget target) => host.Unload(target.ModelId);

    /// <summary>Runs the graph on <paramref name="inputs"/>; returns the requested outputs (all when none are named).</summary>
    /// <exception cref="TensorRequestException">The tensors do not fit the graph.</exception>
    public Task<IReadOnlyList<RawTensor>> InferAsync(
        InferenceTarget target, IReadOnlyList<RawTensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken) =>
        host.RunAsync<LoadedModel, IReadOnlyList<RawTensor>>(
            target.ModelId, Operation, RunPriority.Batch,
            (model, ct) => TensorRunner.Run(Session(model, target), inputs, outputs, ct),
            cancellationToken);

    private async Task<InferenceTarget?> FindAsync(string name, TenantIdentity identity, CancellationToken cancellationToken)
    {
        if (!ModelEndpoints.IsWellFormedId(name))
        {
            return null;
        }

        // A one-file model by its id; otherwise "id.role" for one file of a multi-file model (ids may hold dots, so the
        // registered id wins when both readings exist).
        if (await store.GetAsync(name, cancellationToken).ConfigureAwait(false) is { } entry && ModelEndpoints.IsVisible(entry, identity))
        {
            return entry.Manifest.Files.Count == 1
                ? InferenceTarget.Of(entry).First()
                : throw new ModelNotFoundException(
                    $"model '{name}' has several ONNX files; name one: {string.Join(", ", InferenceTarget.Of(entry).Select(static t => t.Name))}");
        }

        var dot = name.LastIndexOf('.');
        if (dot <= 0 || dot == name.Length - 1)
        {
            return null;
        }

        var role = name[(dot + 1)..];
        if (await store.GetAsync(name[..dot], cancellationToken).ConfigureAwait(false) is { } parent
            && ModelEndpoints.IsVisible(parent, identity)
            && parent.Manifest.Files.Count > 1
            && parent.Manifest.Files.ContainsKey(role))
        {
            return new InferenceTarget(name, parent, role);
        }

        return null;
    }

    private static Microsoft.ML.OnnxRuntime.InferenceSession Session(LoadedModel model, InferenceTarget target) =>
        model.SessionOf(target.Role) ?? throw new ModelNotFoundException($"model '{target.Name}' has no ONNX file '{target.Role}'");

    private static string Truncate(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
