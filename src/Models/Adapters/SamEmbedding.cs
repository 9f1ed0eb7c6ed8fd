using Atelier.Imaging;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Adapters;

/// <summary>
/// The encoder's output for one image: the <c>image_embeddings</c> tensor (kept as an
/// <see cref="OrtValue"/> so a session can hold it between clicks without copying) and the transform
/// that maps prompts into, and masks out of, the model's 1024 frame. Dispose it when the image is done.
/// </summary>
public sealed class SamEmbedding : IDisposable
{
    /// <summary>Wraps an embedding tensor (e.g. one promoted back from host memory) with its transform; takes ownership of <paramref name="value"/>.</summary>
    public SamEmbedding(OrtValue value, SamTransform transform)
    {
        Value = value;
        Transform = transform;
    }

    /// <summary>The <c>[1,256,64,64]</c> float tensor: in device memory when the encoder ran on CUDA, else in host memory.</summary>
    public OrtValue Value { get; }

    /// <summary>Original size ↔ 1024 frame.</summary>
    public SamTransform Transform { get; }

    public int ImageWidth => Transform.OriginalWidth;

    public int ImageHeight => Transform.OriginalHeight;

    /// <summary>Bytes the embedding occupies.</summary>
    public long ByteCount => Value.GetTensorSizeInBytes();

    public void Dispose() => Value.Dispose();
}
