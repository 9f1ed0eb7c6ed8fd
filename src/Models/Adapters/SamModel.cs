using System.Buffers;
using Atelier.Imaging;
using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Adapters;

/// <summary>
/// The <c>sam</c> adapter: any encoder/decoder pair with Segment Anything's ONNX interface (the
/// official export, samexporter's, MobileSAM, the demo models). Split in two so a session can keep the
/// embedding between clicks: <see cref="Encode"/> once per image, <see cref="Decode"/> per prompt.
/// <list type="bullet">
/// <item>Encoder input: <c>x</c>, <c>input_image</c> or <c>image</c> (found in the session metadata), either
/// <c>[1,3,1024,1024]</c> normalized and padded, or samexporter's <c>[h,w,3]</c> 0..255 (manifest <c>sam.encoderInput</c>).</item>
/// <item>Decoder: coordinates in the 1024 frame (the graph adds 0.5 itself); labels 1 fg, 0 bg, 2/3 box corners;
/// without a box a padding point (0, 0) with label −1 is appended.</item>
/// <item>Masks are built from <c>low_res_masks</c> with <see cref="SamTransform.PostprocessMask"/>, never from the
/// <c>masks</c> output (the official export freezes its crop size at trace time).</item>
/// </list>
/// </summary>
public sealed class SamModel : LoadedModel
{
    private static readonly string[] EncoderInputNames = ["x", "input_image", "image"];
    private const int LowResCells = SamTransform.LowResSize * SamTransform.LowResSize;

    /// <summary>The <c>mask_input</c> of a decode without a previous mask; ORT only reads inputs, so one buffer serves every call.</summary>
    private static readonly float[] NoPreviousMask = new float[LowResCells];

    private readonly InferenceSession _encoder;
    private readonly InferenceSession _decoder;
    private readonly string _encoderInput;
    private readonly string _encoderOutput;
    private readonly SamEncoderInput _convention;
    private readonly OrtMemoryInfo _embeddingMemory;

    internal SamModel(ModelEntry entry, ExecutionProvider executionProvider, InferenceSession encoder, InferenceSession decoder, int cudaDeviceId = 0)
        : base(entry, executionProvider, ("encoder", encoder), ("decoder", decoder))
    {
        // Where the encoder's output is bound: the GPU's memory under CUDA, host memory on the CPU provider.
        _embeddingMemory = executionProvider == ExecutionProvider.Cuda
            ? new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, cudaDeviceId, OrtMemType.Default)
            : OrtMemoryInfo.DefaultInstance;
        _encoder = encoder;
        _decoder = decoder;
        var file = entry.Manifest.Files["encoder"].Path;
        _convention = entry.Manifest.Sam?.EncoderInput ?? SamEncoderInput.Normalized1024;
        _encoderInput = FindInput(encoder, file, strict: true, EncoderInputNames);
        _encoderOutput = FindOutput(encoder, file, "image_embeddings");
        var rank = FindNode(encoder.InputMetadata, _encoderInput).Dimensions.Length;
        var expectedRank = _convention == SamEncoderInput.Hwc255 ? 3 : 4;
        if (rank != expectedRank)
        {
            throw new ModelManifestException(
                $"{file}: input '{_encoderInput}' has rank {rank} but sam.encoderInput '{_convention}' expects rank {expectedRank}.");
        }

        var decoderFile = entry.Manifest.Files["decoder"].Path;
        foreach (var name in DecoderInputs)
        {
            FindNode(decoder.InputMetadata, name, decoderFile);
        }

        foreach (var name in DecoderOutputs)
        {
            FindNode(decoder.OutputMetadata, name, decoderFile);
        }
    }

    internal static string[] DecoderInputs { get; } = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"];

    private static string[] DecoderOutputs { get; } = ["iou_predictions", "low_res_masks"];

    /// <summary>True when the encoder runs on CUDA: embeddings are then left in device memory (see <see cref="Encode"/>).</summary>
    public bool EmbeddingsOnDevice => ExecutionProvider == ExecutionProvider.Cuda;

    /// <summary>Which encoder input convention this model uses.</summary>
    public SamEncoderInput EncoderInput => _convention;

    /// <summary>Runs the encoder on <paramref name="image"/> (the expensive step, once per image).</summary>
    public SamEmbedding Encode(RgbImage image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var transform = new SamTransform(image.Width, image.Height);
        var length = _convention == SamEncoderInput.Hwc255 ? transform.HwcLength : transform.ChwLength;
        var buffer = ArrayPool<float>.Shared.Rent(length);
        try
        {
            long[] shape;
            if (_convention == SamEncoderInput.Hwc255)
            {
                transform.PreprocessHwc(image, buffer);
                shape = [transform.ResizedHeight, transform.ResizedWidth, 3];
            }
            else
            {
                transform.Preprocess(image, buffer);
                shape = [1, 3, transform.TargetLength, transform.TargetLength];
            }

            // The output is bound through OrtIoBinding to the embedding memory: under CUDA ORT leaves it in device
            // memory, where the session keeps it between clicks and the decoder reads it without a host round trip;
            // on the CPU provider the same code binds it to host memory.
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), shape);
            using var binding = _encoder.CreateIoBinding();
            binding.BindInput(_encoderInput, input);
            binding.BindOutputToDevice(_encoderOutput, _embeddingMemory);
            OnnxSessions.RunWithBinding(_encoder, binding, cancellationToken);
            binding.SynchronizeBoundOutputs();
            var outputs = binding.GetOutputValues(); // one bound output: its OrtValue is handed to the embedding, which disposes it
            return new SamEmbedding(outputs[0], transform);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Runs the decoder for <paramref name="prompt"/> on an embedding. <paramref name="previousLowResLogits"/>
    /// (a previous candidate's <see cref="SamMaskCandidate.LowResLogits"/>) refines that mask
    /// (<c>has_mask_input = 1</c>). Returns the masks best first; the caller disposes them.
    /// </summary>
    public IReadOnlyList<SamMaskCandidate> Decode(
        SamEmbedding embedding, SamPrompt prompt, SamMaskOutput output = SamMaskOutput.Single,
        float[]? previousLowResLogits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Points.Count == 0 && prompt.Box is null)
        {
            throw new ArgumentException("A prompt needs at least one point or a box.", nameof(prompt));
        }

        if (previousLowResLogits is not null && previousLowResLogits.Length != LowResCells)
        {
            throw new ArgumentException($"The previous mask must hold {LowResCells} low-res logits.", nameof(previousLowResLogits));
        }

        var (coords, labels) = EncodePrompt(prompt, embedding.Transform);
        var maskInput = previousLowResLogits ?? NoPreviousMask;
        float[] hasMask = [previousLowResLogits is null ? 0f : 1f];
        float[] size = [embedding.ImageHeight, embedding.ImageWidth];
        using var coordsValue = OrtValue.CreateTensorValueFromMemory(coords, [1, labels.Length, 2]);
        using var labelsValue = OrtValue.CreateTensorValueFromMemory(labels, [1, labels.Length]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(maskInput, [1, 1, SamTransform.LowResSize, SamTransform.LowResSize]);
        using var hasMaskValue = OrtValue.CreateTensorValueFromMemory(hasMask, [1]);
        using var sizeValue = OrtValue.CreateTensorValueFromMemory(size, [2]);

        // The embedding is passed as the OrtValue the encoder left (device memory under CUDA: ORT reads it in place);
        // the outputs come back in host memory.
        using var results = OnnxSessions.Run(
            _decoder, DecoderInputs, [embedding.Value, coordsValue, labelsValue, maskValue, hasMaskValue, sizeValue], DecoderOutputs, cancellationToken);
        var scores = results[0].GetTensorDataAsSpan<float>();
        var logits = results[1].GetTensorDataAsSpan<float>();
        var count = scores.Length;
        if (logits.Length != count * LowResCells)
        {
            throw new InvalidOperationException($"The decoder returned {count} scores but {logits.Length} low-res values.");
        }

        var chosen = Select(scores, labels.Length, output);
        var candidates = new List<SamMaskCandidate>(chosen.Length);
        try
        {
            foreach (var index in chosen)
            {
                var lowRes = logits.Slice(index * LowResCells, LowResCells).ToArray();
                var mask = embedding.Transform.PostprocessMask(lowRes);
                candidates.Add(new SamMaskCandidate(mask, scores[index], lowRes, index));
            }
        }
        catch
        {
            foreach (var candidate in candidates)
            {
                candidate.Dispose();
            }

            throw;
        }

        return candidates;
    }

    /// <summary>Coordinates (1024 frame) and labels, with the box corners or the padding point appended.</summary>
    internal static (float[] Coords, float[] Labels) EncodePrompt(SamPrompt prompt, SamTransform transform)
    {
        var count = prompt.Points.Count + (prompt.Box is null ? 1 : 2);
        var coords = new float[count * 2];
        var labels = new float[count];
        for (var i = 0; i < prompt.Points.Count; i++)
        {
            var point = prompt.Points[i];
            coords[2 * i] = point.X;
            coords[(2 * i) + 1] = point.Y;
            labels[i] = point.Positive ? 1f : 0f;
        }

        var n = prompt.Points.Count;
        if (prompt.Box is { } box)
        {
            coords[2 * n] = box.X1;
            coords[(2 * n) + 1] = box.Y1;
            coords[(2 * n) + 2] = box.X2;
            coords[(2 * n) + 3] = box.Y2;
            labels[n] = 2f;
            labels[n + 1] = 3f;
            transform.ApplyCoords(coords);
        }
        else
        {
            transform.ApplyCoords(coords.AsSpan(0, 2 * n));
            labels[n] = -1f; // padding point (0, 0)
        }

        return (coords, labels);
    }

    /// <summary>
    /// Which outputs to return. Four outputs (0: single-mask token, 1..3: multimask): multimask returns 1..3
    /// by predicted IoU; single follows the export's <c>select_masks</c>, <c>argmax(iou + (points − 2.5)·[1000, 0, 0, 0])</c>
    /// (output 0 with several clicks, the best multimask output with one). Any other count: all by IoU, or the best.
    /// </summary>
    internal static int[] Select(ReadOnlySpan<float> scores, int pointCount, SamMaskOutput output)
    {
        var count = scores.Length;
        if (count == 0)
        {
            throw new InvalidOperationException("The decoder returned no masks.");
        }

        if (output == SamMaskOutput.Single)
        {
            var best = 0;
            var bestScore = float.NegativeInfinity;
            for (var i = 0; i < count; i++)
            {
                var score = count == 4 && i == 0 ? scores[0] + ((pointCount - 2.5f) * 1000f) : scores[i];
                if (score > bestScore)
                {
                    bestScore = score;
                    best = i;
                }
            }

            return [best];
        }

        var first = count == 4 ? 1 : 0;
        var indices = new int[count - first];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = first + i;
        }

        // Stable insertion sort, descending by score: ties keep output order (deterministic).
        for (var i = 1; i < indices.Length; i++)
        {
            var current = indices[i];
            var j = i - 1;
            while (j >= 0 && scores[indices[j]] < scores[current])
            {
                indices[j + 1] = indices[j];
                j--;
            }

            indices[j + 1] = current;
        }

        return indices;
    }

    private static NodeMetadata FindNode(IReadOnlyDictionary<string, NodeMetadata> nodes, string name, string? file = null) =>
        nodes.TryGetValue(name, out var node)
            ? node
            : throw new ModelManifestException($"{file ?? "model"}: the SAM decoder has no '{name}' (it has {Describe(nodes)}).");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !ReferenceEquals(_embeddingMemory, OrtMemoryInfo.DefaultInstance))
        {
            _embeddingMemory.Dispose();
        }

        base.Dispose(disposing);
    }
}
