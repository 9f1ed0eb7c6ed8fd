using Atelier.Models.Store;

namespace Atelier.Silo.KServe;

/// <summary>
/// One inferable ONNX graph: file <see cref="Role"/> of registered model <see cref="Entry"/>, published as
/// <see cref="Name"/> (the model id for a one-file model, <c>id.role</c> for each file of a multi-file model).
/// </summary>
internal sealed record InferenceTarget(string Name, ModelEntry Entry, string Role)
{
    public string ModelId => Entry.Id;

    public string Version => Entry.Manifest.Version;

    /// <summary>The protocol names of every ONNX file of <paramref name="entry"/>.</summary>
    public static IEnumerable<InferenceTarget> Of(ModelEntry entry)
    {
        if (entry.Manifest.Files.Count == 1)
        {
            foreach (var role in entry.Manifest.Files.Keys)
            {
                yield return new InferenceTarget(entry.Id, entry, role);
            }

            yield break;
        }

        var roles = entry.Manifest.Files.Keys.ToList();
        roles.Sort(StringComparer.Ordinal);
        foreach (var role in roles)
        {
            yield return new InferenceTarget(entry.Id + "." + role, entry, role);
        }
    }
}
