using Atelier.Imaging;
using Atelier.Models.Store;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Adapters;

/// <summary>
/// The <c>isnet</c> adapter: salient-object segmentation. The image is stretched to 1024×1024 (no aspect
/// kept), fed as planar RGB <c>(v − 128) / 256</c> to <c>input [1,3,1024,1024]</c>; <c>output [1,1,1024,1024]</c>
/// (0..1) is resized back to the original size and thresholded at 0.5 into the subject mask.
/// </summary>
public sealed class IsnetModel : LoadedModel
{
    /// <summary>The model's square input side.</summary>
    public const int InputSize = 1024;

    private const int Plane = InputSize * InputSize;

    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly string _output;

    internal IsnetModel(ModelEntry entry, ExecutionProvider executionProvider, InferenceSession session)
        : base(entry, executionProvider, ("model", session))
    {
        _session = session;
        var file = entry.Manifest.Files["model"].Path;
        _input = FindInput(session, file, strict: false, "input");
        _output = FindOutput(session, file, "output");
    }

    /// <summary>The subject mask (0/255) at the original size: saliency above 0.5.</summary>
    public Mask Segment(RgbImage image, CancellationToken cancellationToken = default)
    {
        using var saliency = Saliency(image, cancellationToken);
        return MaskOps.Threshold(saliency, 127);
    }

    /// <summary>The saliency as an 8-bit plane (0..255 for 0..1) at the original size. The caller disposes it.</summary>
    public Mask Saliency(RgbImage image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var buffer = ImageBufferPool.Floats.Rent(3 * Plane);
        try
        {
            using (var stretched = ImageResize.Resize(image, InputSize, InputSize))
            {
                Preprocess(stretched.Pixels, buffer);
            }

            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, 3 * Plane), [1, 3, InputSize, InputSize]);
            using var outputs = OnnxSessions.Run(_session, [_input], [input], [_output], cancellationToken);
            using var square = ToPlane(outputs[0].GetTensorDataAsSpan<float>());
            return ImageResize.Resize(square, image.Width, image.Height);
        }
        finally
        {
            ImageBufferPool.Floats.Return(buffer);
        }
    }

    /// <summary>Interleaved RGB bytes (1024²) → planar <c>(v − 128) / 256</c>.</summary>
    internal static void Preprocess(ReadOnlySpan<byte> rgb, Span<float> chw)
    {
        var r = chw[..Plane];
        var g = chw.Slice(Plane, Plane);
        var b = chw.Slice(2 * Plane, Plane);
        for (int i = 0, p = 0; i < Plane; i++, p += 3)
        {
            r[i] = (rgb[p] - 128f) / 256f;
            g[i] = (rgb[p + 1] - 128f) / 256f;
            b[i] = (rgb[p + 2] - 128f) / 256f;
        }
    }

    /// <summary>0..1 saliency → 0..255 bytes (rounded, clamped).</summary>
    internal static Mask ToPlane(ReadOnlySpan<float> values)
    {
        if (values.Length != Plane)
        {
            throw new InvalidOperationException($"The ISNet output holds {values.Length} values, expected {Plane}.");
        }

        var plane = new Mask(InputSize, InputSize, clear: false);
        var data = plane.Data;
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)Math.Clamp((values[i] * 255f) + 0.5f, 0f, 255f);
        }

        return plane;
    }
}
