using System.Runtime.InteropServices;

namespace Atelier.Imaging.Tests;

public sealed class ImageBufferPoolTests
{
    // 600,000 floats falls in the 1M-element size class (4 MiB arrays), which nothing else in these tests rents.
    private const int Length = 600_000;

    [Fact]
    public void Pool_keeps_a_bounded_number_of_arrays_however_many_are_returned()
    {
        // A rent that finds its size class empty also tries the next larger one, so a burst can leave arrays in both.
        var bound = 2 * ImageBufferPool.MaxArraysPerSize;
        var count = bound + 3;
        var first = Enumerable.Range(0, count).Select(_ => ImageBufferPool.Floats.Rent(Length)).ToArray();
        foreach (var array in first)
        {
            ImageBufferPool.Floats.Return(array);
        }

        var second = Enumerable.Range(0, count).Select(_ => ImageBufferPool.Floats.Rent(Length)).ToArray();
        try
        {
            var reused = second.Count(array => first.Any(old => ReferenceEquals(old, array)));
            Assert.InRange(reused, 0, bound);
            Assert.All(second, array => Assert.True(array.Length >= Length));
        }
        finally
        {
            foreach (var array in second)
            {
                ImageBufferPool.Floats.Return(array);
            }
        }
    }

    [Fact]
    public void A_disposed_image_gives_its_pixels_back_to_the_image_pool()
    {
        // 5000 x 5000 x 3 bytes: the 128 MiB size class, which nothing else in these tests rents.
        byte[] pixels;
        using (var image = new RgbImage(5000, 5000))
        {
            Assert.True(MemoryMarshal.TryGetArray<byte>(image.PixelMemory, out var segment));
            pixels = segment.Array!;
        }

        var again = ImageBufferPool.Bytes.Rent(5000 * 5000 * 3);
        ImageBufferPool.Bytes.Return(again);
        Assert.Same(pixels, again);
    }
}
