using System.Text.Json.Nodes;
using Atelier.Models.Store;

namespace Atelier.Cluster.Tests;

/// <summary>A model store in a temp folder, filled with copies of models from the setup cache (never written).</summary>
internal sealed class TempModelStore : IDisposable
{
    private readonly string _cache = Path.Combine(
        AtelierCache.FindRoot() ?? throw new InvalidOperationException("setup cache (.atelier/) not found; run ./build.sh setup"), "models");

    public string Root { get; } = Directory.CreateTempSubdirectory("atelier-models-").FullName;

    /// <summary>Copies model <paramref name="id"/>; with <paramref name="asId"/> it becomes another model (same files), owned by <paramref name="tenant"/>.</summary>
    public void Copy(string id, string? asId = null, string? tenant = null)
    {
        var source = Path.Combine(_cache, id);
        var target = Path.Combine(Root, asId ?? id);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        if (asId is not null)
        {
            var manifestPath = Path.Combine(target, "model.json");
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
            manifest["id"] = asId;
            if (tenant is not null)
            {
                manifest["tenant"] = tenant;
            }

            File.WriteAllText(manifestPath, manifest.ToJsonString());
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
