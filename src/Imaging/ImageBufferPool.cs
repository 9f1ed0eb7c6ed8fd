using System.Buffers;

namespace Atelier.Imaging;

/// <summary>
/// The pools for image-sized buffers: decoded pixels, masks, codec scratch and model input tensors (megabytes each).
/// <see cref="ArrayPool{T}.Shared"/> is made for small arrays: it keeps one array per size class for every thread that
/// returned one and up to 32 more per core, and gives them back to the GC only after a gen-2 collection under memory
/// pressure. With image-sized arrays and a silo's thirty-odd pool threads that is more than a gigabyte held for reuse
/// (the soak benchmark measured the silo's GC heap at 1.5 GB for 32 sessions whose tensors needed 130 MB). These pools
/// (<see cref="ArrayPool{T}.Create(int, int)"/>) keep at most <see cref="MaxArraysPerSize"/> arrays per power-of-two
/// size, shared by all threads, so what they hold is bounded: a rent that finds its size empty tries the next larger
/// size, then allocates; an array returned to a full size is left to the GC.
/// Return an array to the pool it came from: these pools reject arrays of a size they do not hand out.
/// </summary>
public static class ImageBufferPool
{
    /// <summary>The largest array (in elements) either pool keeps; larger ones are allocated and dropped on return.</summary>
    public const int MaxArrayLength = 1 << 28;

    /// <summary>Arrays kept per size class: twice the cores (at least 4), enough for every run slot and request in flight to
    /// find one.</summary>
    public static int MaxArraysPerSize { get; } = Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>Bytes: RGB pixels, masks, RGBA codec scratch.</summary>
    public static ArrayPool<byte> Bytes { get; } = ArrayPool<byte>.Create(MaxArrayLength, MaxArraysPerSize);

    /// <summary>Floats: model input tensors and image-sized intermediate planes.</summary>
    public static ArrayPool<float> Floats { get; } = ArrayPool<float>.Create(MaxArrayLength, MaxArraysPerSize);
}
