namespace Atelier.Models.Adapters;

/// <summary>One request to SAM's decoder: a prompt on an embedding, optionally refining a previous mask.</summary>
/// <param name="Embedding">The session's embedding (host memory when the request is batched with others).</param>
/// <param name="Prompt">Points and/or a box, in original image pixels.</param>
/// <param name="Output">The best mask only, or the multimask outputs.</param>
/// <param name="PreviousLowResLogits">A previous mask's 256×256 logits to refine (<c>has_mask_input = 1</c>), or none.</param>
public sealed record SamDecodeInput(
    SamEmbedding Embedding, SamPrompt Prompt, SamMaskOutput Output = SamMaskOutput.Single, float[]? PreviousLowResLogits = null);

/// <summary>One chosen decoder output before it is scaled to the image: its index, predicted IoU and 256×256 logits.</summary>
public sealed record SamLowResMask(int OutputIndex, float PredictedIou, float[] LowResLogits);
