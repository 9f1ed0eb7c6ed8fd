using Atelier.Models.Manifest;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Diffusion;

/// <summary>
/// The names, element types and fixed sizes an <c>sd-inpaint</c> export declares, read from the ONNX metadata of its
/// four sessions and checked against the diffusers/optimum layout (names and ranks); nothing is assumed about fp16 or
/// fp32, or about the timestep's type. Registration and loading both use it, so a folder that would fail at the first
/// replace is refused when it is registered.
/// </summary>
public sealed record SdInpaintInterface
{
    /// <summary><c>input_ids [batch, sequence]</c> (int32 or int64).</summary>
    public required TensorElementType InputIdsType { get; init; }

    /// <summary>Fixed token count of the text encoder (77), or null when dynamic.</summary>
    public int? SequenceLength { get; init; }

    /// <summary><c>last_hidden_state</c>'s type (fp32/fp16).</summary>
    public required TensorElementType HiddenType { get; init; }

    /// <summary>The UNet's <c>sample [batch, 9, h, w]</c> type.</summary>
    public required TensorElementType SampleType { get; init; }

    /// <summary>The UNet's fixed batch (1 or 2), or null when dynamic.</summary>
    public int? UnetBatch { get; init; }

    /// <summary>The UNet's fixed latent side, or null when dynamic.</summary>
    public int? LatentSize { get; init; }

    /// <summary>The UNet's <c>timestep</c> type: float32, float16, int64 or int32.</summary>
    public required TensorElementType TimestepType { get; init; }

    /// <summary>Rank of <c>timestep</c>: 0 (a scalar) or 1.</summary>
    public required int TimestepRank { get; init; }

    /// <summary>Fixed length of a rank-1 <c>timestep</c>, or null when dynamic.</summary>
    public int? TimestepLength { get; init; }

    /// <summary>The UNet's <c>encoder_hidden_states</c> type.</summary>
    public required TensorElementType ContextType { get; init; }

    /// <summary>Type of the VAE encoder's <c>sample</c> input.</summary>
    public required TensorElementType VaeEncoderType { get; init; }

    /// <summary>The VAE encoder's output: <c>latent_sample</c> (4 channels, sampled) or <c>latent_parameters</c> (mean and log-variance; the mean is used).</summary>
    public required string VaeEncoderOutput { get; init; }

    /// <summary>Type of the VAE decoder's <c>latent_sample</c> input.</summary>
    public required TensorElementType VaeDecoderType { get; init; }

    /// <summary>Reads and checks the four sessions; the message of the exception names the file and what is wrong.</summary>
    /// <exception cref="ModelManifestException">A name, rank or type does not follow the layout.</exception>
    public static SdInpaintInterface Read(
        InferenceSession textEncoder, InferenceSession unet, InferenceSession vaeEncoder, InferenceSession vaeDecoder, string modelId)
    {
        ArgumentNullException.ThrowIfNull(textEncoder);
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(vaeEncoder);
        ArgumentNullException.ThrowIfNull(vaeDecoder);
        var ids = Input(textEncoder, modelId, "text_encoder", "input_ids", 2, TensorElementType.Int32, TensorElementType.Int64);
        var hidden = Output(textEncoder, modelId, "text_encoder", "last_hidden_state", 3);
        var sample = Input(unet, modelId, "unet", "sample", 4, TensorElementType.Float, TensorElementType.Float16);
        if (sample.Dimensions[1] is var channels && channels > 0 && channels != 9)
        {
            throw Fail(modelId, "unet", $"input 'sample' has {channels} channels; an inpainting UNet takes 9 (latents, mask, masked-image latents)");
        }

        var timestep = unet.InputMetadata.TryGetValue("timestep", out var t)
            ? t
            : throw Fail(modelId, "unet", $"has no input 'timestep' (it has {Describe(unet.InputMetadata)})");
        if (!t.IsTensor || t.Dimensions.Length > 1
            || t.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.Int64 or TensorElementType.Int32))
        {
            throw Fail(modelId, "unet", $"input 'timestep' must be a scalar or 1-D float32, float16, int64 or int32 tensor, not {Describe(t)}");
        }

        var context = Input(unet, modelId, "unet", "encoder_hidden_states", 3, TensorElementType.Float, TensorElementType.Float16);
        var outSample = Output(unet, modelId, "unet", "out_sample", 4);
        if (outSample.Dimensions[1] is var outChannels && outChannels > 0 && outChannels != 4)
        {
            throw Fail(modelId, "unet", $"output 'out_sample' has {outChannels} channels, expected 4");
        }

        foreach (var name in unet.InputMetadata.Keys)
        {
            if (name is not ("sample" or "timestep" or "encoder_hidden_states"))
            {
                throw Fail(modelId, "unet", $"has an input '{name}' this pipeline does not feed (SD 1.x/2.x inpainting takes sample, timestep, encoder_hidden_states)");
            }
        }

        if (hidden.Dimensions[2] > 0 && context.Dimensions[2] > 0 && hidden.Dimensions[2] != context.Dimensions[2])
        {
            throw Fail(modelId, "unet", $"encoder_hidden_states has width {context.Dimensions[2]}, the text encoder gives {hidden.Dimensions[2]}");
        }

        var vaeIn = Input(vaeEncoder, modelId, "vae_encoder", "sample", 4, TensorElementType.Float, TensorElementType.Float16);
        var vaeOut = vaeEncoder.OutputMetadata.ContainsKey("latent_sample") ? "latent_sample"
            : vaeEncoder.OutputMetadata.ContainsKey("latent_parameters") ? "latent_parameters"
            : throw Fail(modelId, "vae_encoder", $"has no output 'latent_sample' or 'latent_parameters' (it has {Describe(vaeEncoder.OutputMetadata)})");
        Output(vaeEncoder, modelId, "vae_encoder", vaeOut, 4);
        var decoderIn = Input(vaeDecoder, modelId, "vae_decoder", "latent_sample", 4, TensorElementType.Float, TensorElementType.Float16);
        Output(vaeDecoder, modelId, "vae_decoder", "sample", 4);

        return new SdInpaintInterface
        {
            InputIdsType = ids.ElementDataType,
            SequenceLength = ids.Dimensions[1] > 0 ? ids.Dimensions[1] : null,
            HiddenType = hidden.ElementDataType,
            SampleType = sample.ElementDataType,
            UnetBatch = sample.Dimensions[0] > 0 ? sample.Dimensions[0] : null,
            LatentSize = sample.Dimensions[2] > 0 ? sample.Dimensions[2] : null,
            TimestepType = t.ElementDataType,
            TimestepRank = t.Dimensions.Length,
            TimestepLength = t.Dimensions.Length == 1 && t.Dimensions[0] > 0 ? t.Dimensions[0] : null,
            ContextType = context.ElementDataType,
            VaeEncoderType = vaeIn.ElementDataType,
            VaeEncoderOutput = vaeOut,
            VaeDecoderType = decoderIn.ElementDataType,
        };
    }

    private static NodeMetadata Input(InferenceSession session, string model, string file, string name, int rank, params TensorElementType[] types)
    {
        if (!session.InputMetadata.TryGetValue(name, out var node))
        {
            throw Fail(model, file, $"has no input '{name}' (it has {Describe(session.InputMetadata)})");
        }

        Check(node, model, file, "input", name, rank, types);
        return node;
    }

    private static NodeMetadata Output(InferenceSession session, string model, string file, string name, int rank)
    {
        if (!session.OutputMetadata.TryGetValue(name, out var node))
        {
            throw Fail(model, file, $"has no output '{name}' (it has {Describe(session.OutputMetadata)})");
        }

        Check(node, model, file, "output", name, rank, [TensorElementType.Float, TensorElementType.Float16]);
        return node;
    }

    private static void Check(NodeMetadata node, string model, string file, string what, string name, int rank, TensorElementType[] types)
    {
        if (!node.IsTensor || node.Dimensions.Length != rank || Array.IndexOf(types, node.ElementDataType) < 0)
        {
            throw Fail(model, file, $"{what} '{name}' must be a rank-{rank} {string.Join(" or ", types)} tensor, not {Describe(node)}");
        }
    }

    private static ModelManifestException Fail(string model, string file, string problem) =>
        new($"Model '{model}': {file}: {problem}.");

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(static n => $"{n.Key}: {Describe(n.Value)}"));

    private static string Describe(NodeMetadata node) =>
        node.IsTensor ? $"{node.ElementDataType}[{string.Join(',', node.Dimensions)}]" : node.OnnxValueType.ToString();
}
