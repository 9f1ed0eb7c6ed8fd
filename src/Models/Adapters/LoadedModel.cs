using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Atelier.Onnx;

namespace Atelier.Models.Adapters;

/// <summary>
/// A model loaded into ONNX Runtime behind the adapter of its kind (<see cref="SamModel"/>,
/// <see cref="LamaModel"/>, <see cref="IsnetModel"/>). One instance is shared by every session that
/// uses the model: its methods may be called from several threads at once. Dispose it once nobody does.
/// </summary>
public abstract class LoadedModel : IDisposable
{
    private readonly InferenceSession[] _sessions;
    private int _disposed;

    private protected LoadedModel(ModelEntry entry, params InferenceSession[] sessions)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Entry = entry;
        _sessions = sessions;
        long weights = 0;
        foreach (var session in sessions)
        {
            weights += session.InitializerBytes;
        }

        WeightBytes = weights;
    }

    /// <summary>The registered model (manifest and folder).</summary>
    public ModelEntry Entry { get; }

    public string Id => Entry.Id;

    public ModelKind Kind => Entry.Manifest.Kind;

    /// <summary>Bytes of the model's weights (initializers of all its ONNX files).</summary>
    public long WeightBytes { get; }

    /// <summary>
    /// Bytes to account for this model in memory budgets: the manifest's <c>declaredBytes</c> when given,
    /// otherwise the larger of <see cref="WeightBytes"/> and the size of its files.
    /// </summary>
    public long Bytes => Entry.Manifest.DeclaredBytes ?? Math.Max(WeightBytes, Entry.SizeBytes);

    /// <summary>The execution provider the sessions run on.</summary>
    public ExecutionProvider ExecutionProvider => _sessions[0].ExecutionProvider;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var session in _sessions)
            {
                session.Dispose();
            }

            GC.SuppressFinalize(this);
        }
    }

    /// <summary>The input named like one of <paramref name="names"/>, or (when <paramref name="strict"/> is false) the only input.</summary>
    private protected static string FindInput(InferenceSession session, string file, bool strict, params ReadOnlySpan<string> names) =>
        FindName(session.Inputs, file, "input", strict, names);

    /// <summary>The output named like one of <paramref name="names"/>, or the first output.</summary>
    private protected static string FindOutput(InferenceSession session, string file, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            foreach (var output in session.Outputs)
            {
                if (output.Name == name)
                {
                    return name;
                }
            }
        }

        return session.Outputs.Count > 0 ? session.Outputs[0].Name : throw new ModelManifestException($"{file}: the model has no outputs.");
    }

    private static string FindName(IReadOnlyList<NodeMetadata> nodes, string file, string what, bool strict, ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            foreach (var node in nodes)
            {
                if (node.Name == name)
                {
                    return name;
                }
            }
        }

        if (!strict && nodes.Count == 1)
        {
            return nodes[0].Name;
        }

        throw new ModelManifestException($"{file}: no {what} named {string.Join(" or ", names.ToArray())} (the model has {string.Join(", ", nodes)}).");
    }
}
