using System.Collections.Concurrent;

namespace Atelier.Silo.SageMaker;

/// <summary>One model loaded through the multi-model API: SageMaker's opaque name, where it came from, and our model id.</summary>
internal sealed record LoadedMultiModel(string ModelName, string ModelUrl, string ModelId);

/// <summary>
/// The models SageMaker asked this container to load, keyed by SageMaker's <c>model_name</c> (an opaque key, not our
/// model id). Loading, budgeting and eviction stay with the model host; this only remembers the names.
/// </summary>
internal sealed class MultiModelRegistry
{
    private readonly ConcurrentDictionary<string, LoadedMultiModel> _models = new(StringComparer.Ordinal);

    public int Count => _models.Count;

    public bool TryGet(string modelName, out LoadedMultiModel model) => _models.TryGetValue(modelName, out model!);

    public bool TryAdd(LoadedMultiModel model) => _models.TryAdd(model.ModelName, model);

    public bool TryRemove(string modelName, out LoadedMultiModel model) => _models.TryRemove(modelName, out model!);

    /// <summary>The models in name order, from the first name after <paramref name="after"/>.</summary>
    public List<LoadedMultiModel> Page(string? after, int size)
    {
        var all = new List<LoadedMultiModel>(_models.Values);
        all.Sort(static (a, b) => string.CompareOrdinal(a.ModelName, b.ModelName));
        var start = 0;
        if (after is not null)
        {
            while (start < all.Count && string.CompareOrdinal(all[start].ModelName, after) <= 0)
            {
                start++;
            }
        }

        return all.GetRange(start, Math.Min(size, all.Count - start));
    }
}
