using Atelier.Grains;
using Atelier.Models.Store;

namespace Atelier.Silo.Endpoints;

/// <summary>A registered model and where it is resident.</summary>
internal sealed record ModelResponse(
    string Id,
    string Kind,
    string Version,
    string? Tenant,
    string? Description,
    bool Demo,
    long SizeBytes,
    bool Pinned,
    DateTimeOffset RegisteredAt,
    IReadOnlyList<ResidencyResponse> Residency)
{
    public static ModelResponse From(ModelEntry entry, IReadOnlyList<ModelResidency> residency)
    {
        var views = new ResidencyResponse[residency.Count];
        var pinned = false;
        for (var i = 0; i < views.Length; i++)
        {
            views[i] = ResidencyResponse.From(residency[i]);
            pinned |= residency[i].Pinned;
        }

        var manifest = entry.Manifest;
        return new ModelResponse(manifest.Id, KindName(manifest.Kind), manifest.Version, manifest.Tenant, manifest.Description,
            manifest.Demo, entry.SizeBytes, pinned, entry.RegisteredAt, views);
    }

    private static string KindName(Models.Manifest.ModelKind kind) => kind switch
    {
        Models.Manifest.ModelKind.SdInpaint => "sd-inpaint",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>A model's state on one silo.</summary>
internal sealed record ResidencyResponse(
    string Silo,
    string State,
    DateTimeOffset? LastUsed,
    long Loads,
    long Hits,
    long Misses,
    long Evictions,
    long ResidentBytes,
    long Runs,
    IReadOnlyDictionary<string, long> RunsByOperation)
{
    public static ResidencyResponse From(ModelResidency r) => new(
        r.Silo,
        r.State switch
        {
            ModelState.Loaded => "loaded",
            ModelState.Loading => "loading",
            _ => "on-disk",
        },
        r.LastUsed, r.Loads, r.Hits, r.Misses, r.Evictions, r.ResidentBytes, r.Runs, r.RunsByOperation);
}

/// <summary>Optional body of load/unload: which silo (name or address); default the silo that received the request.</summary>
internal sealed record SiloTargetBody
{
    public string? Silo { get; init; }
}

/// <summary>Answer of unload.</summary>
internal sealed record UnloadResponse(string Model, string Silo, bool Unloaded);
