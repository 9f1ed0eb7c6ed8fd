namespace Atelier.Imaging;

/// <summary>
/// A single-channel 8-bit plane in pooled memory, row-major, stride <c>Width</c>.
/// Convention: a binary mask holds 0 (background) or 255 (foreground), so it can be written as a
/// grayscale PNG as is; every operation that reads a mask treats any non-zero byte as foreground.
/// An alpha plane (<see cref="RgbImage.Alpha"/>) uses the same type with 0..255 coverage.
/// Dispose it to return the memory to the pool.
/// </summary>
public sealed class Mask : IDisposable
{
    /// <summary>The value written for foreground pixels.</summary>
    public const byte On = 255;

    private byte[]? _data;

    /// <summary>Allocates a mask from <see cref="ImageBufferPool.Bytes"/>, cleared to 0 when <paramref name="clear"/> is set.</summary>
    public Mask(int width, int height, bool clear = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        _data = ImageBufferPool.Bytes.Rent(checked(width * height));
        if (clear)
        {
            Data.Clear();
        }
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The <c>Width * Height</c> bytes, row-major.</summary>
    public Span<byte> Data => Buffer.AsSpan(0, Width * Height);

    /// <summary>The bytes as memory.</summary>
    public Memory<byte> DataMemory => Buffer.AsMemory(0, Width * Height);

    /// <summary>One row.</summary>
    public Span<byte> Row(int y) => Buffer.AsSpan(y * Width, Width);

    /// <summary>Whether pixel (x, y) is foreground (non-zero).</summary>
    public bool this[int x, int y] => Buffer[(y * Width) + x] != 0;

    private byte[] Buffer => _data ?? throw new ObjectDisposedException(nameof(Mask));

    /// <summary>Returns the memory to the pool.</summary>
    public void Dispose()
    {
        var data = Interlocked.Exchange(ref _data, null);
        if (data is not null)
        {
            ImageBufferPool.Bytes.Return(data);
        }
    }
}
