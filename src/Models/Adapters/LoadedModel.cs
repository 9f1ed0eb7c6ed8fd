using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Adapters;

/// <summary>
/// A model loaded into ONNX Runtime behind the adapter of its kind (<see cref="SamModel"/>,
/// <see cref="LamaModel"/>, <see cref="IsnetModel"/>). One instance is shared by every session that
/// uses the model: its methods may be called from several threads at once. Dispose it once nobody does.
/// </summary>
public abstract class LoadedModel : IDisposable
{
    private readonly (string Role, InferenceSession Session)[] _sessions;
    private int _disposed;

    /// <param name="sessions">One ONNX Runtime session per file, by the file's role in the manifest.</param>
    private protected LoadedModel(ModelEntry entry, ExecutionProvider executionProvider, params (string Role, InferenceSession Session)[] sessions)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Entry = entry;
        ExecutionProvider = executionProvider;
        _sessions = sessions;
        long weights = 0;
        foreach (var file in entry.Manifest.Files.Keys)
        {
            // An sd-inpaint folder also lists its tokenizer and scheduler files: only its ONNX files hold weights.
            if (entry.Manifest.Kind != ModelKind.SdInpaint || Array.IndexOf(ModelLoader.SdInpaintRoles, file) >= 0)
            {
                weights += ModelInitializers.CountBytes(entry.PathOf(file));
            }
        }

        WeightBytes = weights;
    }

    /// <summary>The registered model (manifest and folder).</summary>
    public ModelEntry Entry { get; }

    public string Id => Entry.Id;

    public ModelKind Kind => Entry.Manifest.Kind;

    /// <summary>Bytes of the model's weights (initializers of all its ONNX files, read from the files).</summary>
    public long WeightBytes { get; }

    /// <summary>
    /// Bytes to account for this model in memory budgets: the manifest's <c>declaredBytes</c> when given,
    /// otherwise the larger of <see cref="WeightBytes"/> and the size of its files.
    /// </summary>
    public long Bytes => Entry.Manifest.DeclaredBytes ?? Math.Max(WeightBytes, Entry.SizeBytes);

    /// <summary>The execution provider the sessions run on.</summary>
    public ExecutionProvider ExecutionProvider { get; }

    /// <summary>
    /// The ONNX Runtime session of the file with role <paramref name="role"/>, for callers that run the graph as it is
    /// (the KServe v2 and SageMaker front ends, through <see cref="Tensors.TensorRunner"/>); null when the model has no such file.
    /// </summary>
    public InferenceSession? SessionOf(string role)
    {
        foreach (var (r, session) in _sessions)
        {
            if (string.Equals(r, role, StringComparison.Ordinal))
            {
                return session;
            }
        }

        return null;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Dispose(disposing: true);
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Releases the ONNX Runtime sessions (and, in a derived adapter, what else it holds).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var (_, session) in _sessions)
            {
                session.Dispose();
            }
        }
    }

    /// <summary>The input named like one of <paramref name="names"/>, or (when <paramref name="strict"/> is false) the only input.</summary>
    private protected static string FindInput(InferenceSession session, string file, bool strict, params ReadOnlySpan<string> names) =>
        FindName(session.InputMetadata, file, "input", strict, names);

    /// <summary>The output named like one of <paramref name="names"/>, or the first output.</summary>
    private protected static string FindOutput(InferenceSession session, string file, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (session.OutputMetadata.ContainsKey(name))
            {
                return name;
            }
        }

        return session.OutputNames.Count > 0 ? session.OutputNames[0] : throw new ModelManifestException($"{file}: the model has no outputs.");
    }

    private static string FindName(IReadOnlyDictionary<string, NodeMetadata> nodes, string file, string what, bool strict, ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (nodes.ContainsKey(name))
            {
                return name;
            }
        }

        if (!strict && nodes.Count == 1)
        {
            return nodes.Keys.First();
        }

        throw new ModelManifestException($"{file}: no {what} named {string.Join(" or ", names.ToArray())} (the model has {Describe(nodes)}).");
    }

    /// <summary><c>name: Float[1,3,-1,-1]</c> for each node, for error messages.</summary>
    private protected static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(static n => n.Value.IsTensor
            ? $"{n.Key}: {n.Value.ElementDataType}[{string.Join(',', n.Value.Dimensions)}]"
            : $"{n.Key}: {n.Value.OnnxValueType}"));
}
