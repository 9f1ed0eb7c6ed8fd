namespace Atelier.Imaging;

/// <summary>
/// An 8-bit RGB image in pooled memory: rows top to bottom, pixels interleaved R, G, B, stride
/// <c>Width * 3</c>, no padding. Dispose it to return the memory to the pool; a disposed image
/// must not be touched again (its memory belongs to someone else by then).
/// </summary>
public sealed class RgbImage : IDisposable
{
    private byte[]? _pixels;

    /// <summary>Allocates an image from <see cref="ImageBufferPool.Bytes"/>. The pixels are not cleared.</summary>
    public RgbImage(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        _pixels = ImageBufferPool.Bytes.Rent(checked(width * height * 3));
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Bytes per row (<c>Width * 3</c>).</summary>
    public int Stride => Width * 3;

    /// <summary>The pixels, <c>Width * Height * 3</c> bytes.</summary>
    public Span<byte> Pixels => Buffer.AsSpan(0, Width * Height * 3);

    /// <summary>The pixels as memory (for APIs that need <see cref="Memory{T}"/>).</summary>
    public Memory<byte> PixelMemory => Buffer.AsMemory(0, Width * Height * 3);

    /// <summary>The source alpha channel as a mask (0..255 coverage, not thresholded) when the source had one and it was kept; otherwise <see langword="null"/>. Owned and disposed by this image.</summary>
    public Mask? Alpha { get; internal set; }

    /// <summary>One row of pixels.</summary>
    public Span<byte> Row(int y) => Buffer.AsSpan(y * Width * 3, Width * 3);

    private byte[] Buffer => _pixels ?? throw new ObjectDisposedException(nameof(RgbImage));

    /// <summary>Returns the pixel memory (and the alpha mask's) to the pool.</summary>
    public void Dispose()
    {
        var pixels = Interlocked.Exchange(ref _pixels, null);
        if (pixels is not null)
        {
            ImageBufferPool.Bytes.Return(pixels);
        }

        Alpha?.Dispose();
        Alpha = null;
    }
}
