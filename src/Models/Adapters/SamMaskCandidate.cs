using Atelier.Imaging;

namespace Atelier.Models.Adapters;

/// <summary>One mask from a decode: the binary mask at the original size, the model's predicted IoU, and its low-res logits (for refining).</summary>
public sealed class SamMaskCandidate : IDisposable
{
    internal SamMaskCandidate(Mask mask, float predictedIou, float[] lowResLogits, int outputIndex)
    {
        Mask = mask;
        PredictedIou = predictedIou;
        LowResLogits = lowResLogits;
        OutputIndex = outputIndex;
    }

    /// <summary>0/255 mask at the original image size, built from the low-res logits (not the model's <c>masks</c> output).</summary>
    public Mask Mask { get; }

    public float PredictedIou { get; }

    /// <summary>The 256×256 logits; pass them back as the previous mask to refine with more clicks.</summary>
    public float[] LowResLogits { get; }

    /// <summary>Index of this mask among the decoder's outputs (0: single-mask output, 1..3: multimask).</summary>
    public int OutputIndex { get; }

    public void Dispose() => Mask.Dispose();
}
