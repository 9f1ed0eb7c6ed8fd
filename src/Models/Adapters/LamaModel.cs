using Atelier.Imaging;
using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Adapters;

/// <summary>
/// The <c>lama</c> adapter: inputs <c>image [1,3,S,S]</c> RGB 0..1 and <c>mask [1,1,S,S]</c> (1 = fill), S fixed
/// (manifest <c>lama.size</c>) or dynamic; output RGB in 0..1 or 0..255. Pipeline: dilate the mask, crop a
/// context window around it, letterbox to S, run, resize the content back, and composite ONLY the masked
/// pixels over the original (every other pixel stays bit-identical).
/// </summary>
public sealed class LamaModel : LoadedModel
{
    private readonly InferenceSession _session;
    private readonly LamaOptions _options;
    private readonly string _imageInput;
    private readonly string _maskInput;
    private readonly string _output;
    private readonly int? _size;
    private readonly LamaOutputRange _range;

    internal LamaModel(ModelEntry entry, ExecutionProvider executionProvider, InferenceSession session, LamaOptions options)
        : base(entry, executionProvider, ("model", session))
    {
        options.Validate();
        _session = session;
        _options = options;
        var file = entry.Manifest.Files["model"].Path;
        _imageInput = FindInput(session, file, strict: true, "image");
        _maskInput = FindInput(session, file, strict: true, "mask");
        _output = FindOutput(session, file, "output");
        var settings = entry.Manifest.Lama ?? new LamaSettings();
        _size = settings.Size;
        _range = settings.OutputRange;
    }

    /// <summary>Fills the pixels under <paramref name="mask"/> (non-zero = fill). Returns a new image; the caller disposes it.</summary>
    public RgbImage Inpaint(RgbImage image, Mask mask, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Width != image.Width || mask.Height != image.Height)
        {
            throw new ArgumentException($"The mask is {mask.Width}x{mask.Height}; the image is {image.Width}x{image.Height}.", nameof(mask));
        }

        using var dilated = _options.DilationKernel > 1 ? MaskOps.Dilate(mask, _options.DilationKernel) : MaskOps.Threshold(mask, 0);
        if (MaskOps.BoundingBox(dilated) is not { } box)
        {
            var copy = new RgbImage(image.Width, image.Height);
            image.Pixels.CopyTo(copy.Pixels);
            return copy;
        }

        var window = ContextWindow(box, image.Width, image.Height);
        using var crop = ImageResize.Crop(image, window.X, window.Y, window.Width, window.Height);
        var size = _size ?? RoundUp8(Math.Min(Math.Max(window.Width, window.Height), _options.MaxDynamicSize));
        var (canvas, letterbox) = ImageResize.Letterbox(crop, size);
        using var filled = RunModel(canvas, dilated, window, letterbox, size, cancellationToken);
        using var back = ImageResize.Resize(filled, window.Width, window.Height);

        var result = new RgbImage(image.Width, image.Height);
        image.Pixels.CopyTo(result.Pixels);
        for (var y = 0; y < window.Height; y++)
        {
            var maskRow = dilated.Row(window.Y + y).Slice(window.X, window.Width);
            var source = back.Row(y);
            var target = result.Row(window.Y + y).Slice(window.X * 3, window.Width * 3);
            for (var x = 0; x < maskRow.Length; x++)
            {
                if (maskRow[x] != 0)
                {
                    source.Slice(x * 3, 3).CopyTo(target.Slice(x * 3, 3));
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Runs the model on the letterboxed crop (disposed here) and returns the filled content region,
    /// <c>ContentWidth × ContentHeight</c>, as 8-bit RGB.
    /// </summary>
    private RgbImage RunModel(RgbImage canvas, Mask dilated, MaskBox window, LetterboxTransform letterbox, int size, CancellationToken cancellationToken)
    {
        var plane = size * size;
        var imageBuffer = ImageBufferPool.Floats.Rent(3 * plane);
        var maskBuffer = ImageBufferPool.Floats.Rent(plane);
        try
        {
            using (canvas)
            {
                var pixels = canvas.Pixels;
                for (int i = 0, p = 0; i < plane; i++, p += 3)
                {
                    imageBuffer[i] = pixels[p] / 255f;
                    imageBuffer[plane + i] = pixels[p + 1] / 255f;
                    imageBuffer[(2 * plane) + i] = pixels[p + 2] / 255f;
                }
            }

            WriteMask(dilated, window, letterbox, maskBuffer.AsSpan(0, plane), size);
            using var imageValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, imageBuffer.AsMemory(0, 3 * plane), [1, 3, size, size]);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, maskBuffer.AsMemory(0, plane), [1, 1, size, size]);
            using var outputs = OnnxSessions.Run(_session, [_imageInput, _maskInput], [imageValue, maskValue], [_output], cancellationToken);
            return ReadContent(outputs[0].GetTensorDataAsSpan<float>(), letterbox, size);
        }
        finally
        {
            ImageBufferPool.Floats.Return(imageBuffer);
            ImageBufferPool.Floats.Return(maskBuffer);
        }
    }

    /// <summary>The window's part of the mask, resized like the image and placed at the letterbox offsets; any coverage fills.</summary>
    private static void WriteMask(Mask dilated, MaskBox window, LetterboxTransform letterbox, Span<float> target, int size)
    {
        // The letterbox padding is not part of the picture: mark it as hole, so the model never copies the
        // padding colour into the fill (a hole touching the image edge would otherwise fade into black).
        // Whatever the model paints there is cropped away.
        target.Fill(1f);
        using var cropped = new Mask(window.Width, window.Height, clear: false);
        for (var y = 0; y < window.Height; y++)
        {
            dilated.Row(window.Y + y).Slice(window.X, window.Width).CopyTo(cropped.Row(y));
        }

        using var scaled = ImageResize.Resize(cropped, letterbox.ContentWidth, letterbox.ContentHeight);
        for (var y = 0; y < letterbox.ContentHeight; y++)
        {
            var row = scaled.Row(y);
            var offset = ((letterbox.OffsetY + y) * size) + letterbox.OffsetX;
            for (var x = 0; x < row.Length; x++)
            {
                target[offset + x] = row[x] != 0 ? 1f : 0f;
            }
        }
    }

    private RgbImage ReadContent(ReadOnlySpan<float> output, LetterboxTransform letterbox, int size)
    {
        var plane = size * size;
        if (output.Length != 3 * plane)
        {
            throw new InvalidOperationException($"The LaMa output holds {output.Length} values, expected {3 * plane}.");
        }

        var byteRange = _range switch
        {
            LamaOutputRange.Byte => true,
            LamaOutputRange.Unit => false,
            _ => DetectByteRange(output),
        };
        var factor = byteRange ? 1f : 255f;
        var content = new RgbImage(letterbox.ContentWidth, letterbox.ContentHeight);
        for (var y = 0; y < letterbox.ContentHeight; y++)
        {
            var row = content.Row(y);
            var offset = ((letterbox.OffsetY + y) * size) + letterbox.OffsetX;
            for (var x = 0; x < letterbox.ContentWidth; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    row[(x * 3) + c] = (byte)Math.Clamp((output[(c * plane) + offset + x] * factor) + 0.5f, 0f, 255f);
                }
            }
        }

        return content;
    }

    /// <summary>True when the output is in 0..255: its maximum is above 1.5.</summary>
    internal static bool DetectByteRange(ReadOnlySpan<float> output)
    {
        foreach (var value in output)
        {
            if (value > 1.5f)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A window of side ≈ max(box side × factor, min size) centred on the box, shifted and clamped into the image.</summary>
    private MaskBox ContextWindow(MaskBox box, int width, int height)
    {
        var side = (int)Math.Ceiling(Math.Max(Math.Max(box.Width, box.Height) * _options.ContextFactor, _options.MinContextSize));
        var (x, w) = Span(box.X, box.Width, side, width);
        var (y, h) = Span(box.Y, box.Height, side, height);
        return new MaskBox(x, y, w, h);

        static (int Start, int Length) Span(int start, int length, int side, int limit)
        {
            var size = Math.Min(Math.Max(side, length), limit);
            var begin = start + (length / 2) - (size / 2);
            begin = Math.Clamp(begin, 0, limit - size);
            return (begin, size);
        }
    }

    private static int RoundUp8(int value) => (value + 7) / 8 * 8;
}
