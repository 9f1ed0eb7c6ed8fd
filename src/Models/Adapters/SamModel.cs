using Atelier.Imaging;
using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

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
    private readonly int _origImSizeRank;

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

        _origImSizeRank = FindNode(decoder.InputMetadata, "orig_im_size", decoderFile).Dimensions.Length;
        DecoderMaxBatch = executionProvider == ExecutionProvider.Cuda ? 1 : entry.Manifest.Files["decoder"].MaxBatch ?? 1;
        if (entry.Manifest.Files["decoder"].MaxBatch > 1)
        {
            // A batched decoder takes every input with a dynamic first dimension (orig_im_size may stay SAM's [2]).
            foreach (var name in DecoderInputs)
            {
                var dimensions = FindNode(decoder.InputMetadata, name, decoderFile).Dimensions;
                var exempt = name == "orig_im_size" && dimensions.Length == 1;
                if (!exempt && (dimensions.Length == 0 || dimensions[0] != -1))
                {
                    throw new ModelManifestException(
                        $"{decoderFile}: the manifest declares maxBatch {entry.Manifest.Files["decoder"].MaxBatch} but input '{name}' has a fixed first dimension ({string.Join(",", dimensions)}); export it with a dynamic batch dimension.");
                }
            }
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
        var buffer = ImageBufferPool.Floats.Rent(length);
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
            ImageBufferPool.Floats.Return(buffer);
        }
    }

    /// <summary>
    /// Requests one decoder run may take together: the manifest's <c>files.decoder.maxBatch</c> (its inputs have a
    /// dynamic first dimension, checked at load), or 1. Always 1 when embeddings stay in CUDA memory
    /// (<see cref="EmbeddingsOnDevice"/>): a batch is gathered into one host tensor.
    /// </summary>
    public int DecoderMaxBatch { get; }

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
        var lowRes = DecodeLowRes([new SamDecodeInput(embedding, prompt, output, previousLowResLogits)], cancellationToken)[0];
        return ToCandidates(lowRes, embedding.Transform);
    }

    /// <summary>
    /// The decoder's part of a click for one or more requests (at most <see cref="DecoderMaxBatch"/>, in one run when
    /// several): the chosen outputs' scores and 256×256 logits per request, best first. Build the masks at image size
    /// with <see cref="ToCandidates"/> (outside the device gate: it is CPU work). Prompts of different lengths in one
    /// batch are padded with SAM's padding point (label −1), as SAM's own predictor pads them.
    /// </summary>
    public IReadOnlyList<SamLowResMask>[] DecodeLowRes(IReadOnlyList<SamDecodeInput> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0 || requests.Count > DecoderMaxBatch)
        {
            throw new ArgumentException($"A decoder run takes 1..{DecoderMaxBatch} requests; got {requests.Count}.", nameof(requests));
        }

        var prompts = new (float[] Coords, float[] Labels)[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i] ?? throw new ArgumentException("A request is null.", nameof(requests));
            if (request.Prompt.Points.Count == 0 && request.Prompt.Box is null)
            {
                throw new ArgumentException("A prompt needs at least one point or a box.", nameof(requests));
            }

            if (request.PreviousLowResLogits is { Length: not LowResCells })
            {
                throw new ArgumentException($"The previous mask must hold {LowResCells} low-res logits.", nameof(requests));
            }

            prompts[i] = EncodePrompt(request.Prompt, request.Embedding.Transform);
        }

        return requests.Count == 1 ? [RunOne(requests[0], prompts[0], cancellationToken)] : RunBatch(requests, prompts, cancellationToken);
    }

    /// <summary>Builds each chosen output's mask at the original image size (the caller disposes the candidates).</summary>
    public static IReadOnlyList<SamMaskCandidate> ToCandidates(IReadOnlyList<SamLowResMask> lowRes, SamTransform transform)
    {
        ArgumentNullException.ThrowIfNull(lowRes);
        ArgumentNullException.ThrowIfNull(transform);
        var candidates = new List<SamMaskCandidate>(lowRes.Count);
        try
        {
            foreach (var output in lowRes)
            {
                candidates.Add(new SamMaskCandidate(transform.PostprocessMask(output.LowResLogits), output.PredictedIou, output.LowResLogits, output.OutputIndex));
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

    private IReadOnlyList<SamLowResMask> RunOne(SamDecodeInput request, (float[] Coords, float[] Labels) prompt, CancellationToken cancellationToken)
    {
        var (coords, labels) = prompt;
        var embedding = request.Embedding;
        float[] hasMask = [request.PreviousLowResLogits is null ? 0f : 1f];
        float[] size = [embedding.ImageHeight, embedding.ImageWidth];
        using var coordsValue = OrtValue.CreateTensorValueFromMemory(coords, [1, labels.Length, 2]);
        using var labelsValue = OrtValue.CreateTensorValueFromMemory(labels, [1, labels.Length]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(request.PreviousLowResLogits ?? NoPreviousMask, [1, 1, SamTransform.LowResSize, SamTransform.LowResSize]);
        using var hasMaskValue = OrtValue.CreateTensorValueFromMemory(hasMask, [1]);
        using var sizeValue = OrtValue.CreateTensorValueFromMemory(size, OrigImSizeShape(1));

        // The embedding is passed as the OrtValue the encoder left (device memory under CUDA: ORT reads it in place);
        // the outputs come back in host memory.
        using var results = OnnxSessions.Run(
            _decoder, DecoderInputs, [embedding.Value, coordsValue, labelsValue, maskValue, hasMaskValue, sizeValue], DecoderOutputs, cancellationToken);
        return Choose(results, 1, 0, labels.Length, request.Output);
    }

    private IReadOnlyList<SamLowResMask>[] RunBatch(IReadOnlyList<SamDecodeInput> requests, (float[] Coords, float[] Labels)[] prompts, CancellationToken cancellationToken)
    {
        var batch = requests.Count;
        var points = prompts.Max(p => p.Labels.Length);
        var coords = new float[batch * points * 2];
        var labels = new float[batch * points];
        var hasMask = new float[batch];
        labels.AsSpan().Fill(-1f); // padding points (0, 0) with label −1
        var embeddingShape = requests[0].Embedding.Value.GetTensorTypeAndShape().Shape;
        using var embeddings = HostTensors.Allocate(TensorElementType.Float, [batch, .. embeddingShape.AsSpan(1)]);
        using var masks = HostTensors.Allocate(TensorElementType.Float, [batch, 1, SamTransform.LowResSize, SamTransform.LowResSize]);
        var embeddingData = embeddings.GetTensorMutableDataAsSpan<float>();
        var maskData = masks.GetTensorMutableDataAsSpan<float>();
        var embeddingLength = embeddingData.Length / batch;
        for (var i = 0; i < batch; i++)
        {
            var (itemCoords, itemLabels) = prompts[i];
            itemCoords.CopyTo(coords.AsSpan(i * points * 2));
            itemLabels.CopyTo(labels.AsSpan(i * points));
            var value = requests[i].Embedding.Value;
            if (!HostTensors.IsOnHost(value) || value.GetTensorTypeAndShape().ElementDataType != TensorElementType.Float)
            {
                throw new ArgumentException($"Embedding {i} is not a float32 tensor in host memory; batched requests need one.", nameof(requests));
            }

            var source = value.GetTensorDataAsSpan<float>();
            if (source.Length != embeddingLength)
            {
                throw new ArgumentException($"Embedding {i} holds {source.Length} values, not {embeddingLength}.", nameof(requests));
            }

            source.CopyTo(embeddingData.Slice(i * embeddingLength, embeddingLength));
            (requests[i].PreviousLowResLogits ?? NoPreviousMask).CopyTo(maskData.Slice(i * LowResCells, LowResCells));
            hasMask[i] = requests[i].PreviousLowResLogits is null ? 0f : 1f;
        }

        // orig_im_size shapes only the `masks` output, which Atelier never reads: SAM's [2] takes the first request's size.
        var first = requests[0].Embedding;
        float[] size = _origImSizeRank == 2
            ? [.. requests.SelectMany(r => new float[] { r.Embedding.ImageHeight, r.Embedding.ImageWidth })]
            : [first.ImageHeight, first.ImageWidth];
        using var coordsValue = OrtValue.CreateTensorValueFromMemory(coords, [batch, points, 2]);
        using var labelsValue = OrtValue.CreateTensorValueFromMemory(labels, [batch, points]);
        using var hasMaskValue = OrtValue.CreateTensorValueFromMemory(hasMask, [batch]);
        using var sizeValue = OrtValue.CreateTensorValueFromMemory(size, OrigImSizeShape(batch));
        using var results = OnnxSessions.Run(
            _decoder, DecoderInputs, [embeddings, coordsValue, labelsValue, masks, hasMaskValue, sizeValue], DecoderOutputs, cancellationToken);
        var chosen = new IReadOnlyList<SamLowResMask>[batch];
        for (var i = 0; i < batch; i++)
        {
            chosen[i] = Choose(results, batch, i, prompts[i].Labels.Length, requests[i].Output);
        }

        return chosen;
    }

    private long[] OrigImSizeShape(int batch) => _origImSizeRank == 2 ? [batch, 2] : [2];

    /// <summary>Request <paramref name="item"/>'s chosen outputs (scores and logits copied out of the run's results).</summary>
    private static IReadOnlyList<SamLowResMask> Choose(
        IDisposableReadOnlyCollection<OrtValue> results, int batch, int item, int pointCount, SamMaskOutput output)
    {
        var allScores = results[0].GetTensorDataAsSpan<float>();
        var allLogits = results[1].GetTensorDataAsSpan<float>();
        var count = allScores.Length / batch;
        if (count * batch != allScores.Length || allLogits.Length != allScores.Length * LowResCells)
        {
            throw new InvalidOperationException($"The decoder returned {allScores.Length} scores and {allLogits.Length} low-res values for {batch} request(s).");
        }

        var scores = allScores.Slice(item * count, count);
        var logits = allLogits.Slice(item * count * LowResCells, count * LowResCells);
        var chosen = Select(scores, pointCount, output);
        var masks = new SamLowResMask[chosen.Length];
        for (var i = 0; i < chosen.Length; i++)
        {
            var index = chosen[i];
            masks[i] = new SamLowResMask(index, scores[index], logits.Slice(index * LowResCells, LowResCells).ToArray());
        }

        return masks;
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
