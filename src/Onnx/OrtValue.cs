using System.Runtime.InteropServices;
using Atelier.Onnx.Native;

namespace Atelier.Onnx;

/// <summary>
/// A tensor owned by ONNX Runtime (<c>OrtValue</c>): either over caller memory that stays pinned
/// for the tensor's lifetime (no copy), or allocated by ORT. Read it as a <see cref="Span{T}"/>
/// without copying. Dispose it; outputs returned by a run are owned by the caller too.
/// </summary>
public sealed unsafe class OrtValue : IDisposable
{
    private long[]? _shape;
    private TensorElementType _elementType;
    private MemoryLocation? _location;

    internal OrtValue(OrtValueHandle handle)
    {
        Handle = handle;
    }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType
    {
        get
        {
            EnsureTypeAndShape();
            return _elementType;
        }
    }

    /// <summary>The dimensions (a copy is not made: do not modify).</summary>
    public ReadOnlySpan<long> Shape
    {
        get
        {
            EnsureTypeAndShape();
            return _shape;
        }
    }

    /// <summary>Number of elements.</summary>
    public long ElementCount => TensorElementTypes.ElementCount(Shape);

    /// <summary>Bytes the tensor's data occupies, as ORT reports it (<c>GetTensorSizeInBytes</c>).</summary>
    public long ByteCount
    {
        get
        {
            nuint size;
            using var use = new HandleUse(Handle);
            OrtStatus.Check(Api.GetTensorSizeInBytes(use.Raw, &size));
            return (long)size;
        }
    }

    /// <summary>Where the data lives (host or a device).</summary>
    public MemoryLocation Location
    {
        get
        {
            if (_location is { } known)
            {
                return known;
            }

            nint info;
            using var use = new HandleUse(Handle);
            OrtStatus.Check(Api.GetTensorMemoryInfo(use.Raw, &info));
            var location = OrtMemoryInfo.Describe(Api, info);
            _location = location;
            return location;
        }
    }

    internal OrtValueHandle Handle { get; }

    private static OrtApi Api => OrtLibrary.CurrentApi;

    /// <summary>
    /// A tensor over <paramref name="data"/> without copying: the memory is pinned until the tensor is
    /// disposed (or finalized). Writes through either side are visible to the other.
    /// </summary>
    /// <exception cref="ArgumentException">The element count of <paramref name="shape"/> differs from the length of <paramref name="data"/>.</exception>
    public static OrtValue CreateTensor<T>(Memory<T> data, ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        var type = TensorElementTypes.Of<T>();
        var count = TensorElementTypes.ElementCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(',', shape.ToArray())}] holds {count} elements but the buffer holds {data.Length}.", nameof(shape));
        }

        var env = OnnxRuntimeEnvironment.Shared;
        var pin = data.Pin();
        nint raw = 0;
        try
        {
            fixed (long* shapePtr = shape)
            {
                using var memory = new HandleUse(OrtMemoryInfo.Cpu.Handle);
                OrtStatus.Check(env.Api.CreateTensorWithDataAsOrtValue(
                    memory.Raw, pin.Pointer, (nuint)((long)data.Length * sizeof(T)), shapePtr, (nuint)shape.Length, type, &raw));
            }

            return new OrtValue(new OrtValueHandle(raw, pin));
        }
        catch
        {
            pin.Dispose();
            throw;
        }
    }

    /// <summary>A tensor over an array, without copying (see <see cref="CreateTensor{T}(Memory{T}, ReadOnlySpan{long})"/>).</summary>
    public static OrtValue CreateTensor<T>(T[] data, ReadOnlySpan<long> shape)
        where T : unmanaged => CreateTensor(data.AsMemory(), shape);

    /// <summary>A tensor whose memory ORT allocates on the host (contents uninitialized).</summary>
    public static OrtValue Allocate(TensorElementType type, ReadOnlySpan<long> shape)
        => Allocate(OnnxRuntimeEnvironment.Shared.DefaultAllocator, type, shape);

    /// <summary>A tensor allocated from <paramref name="allocator"/> (<c>OrtAllocator*</c>).</summary>
    internal static OrtValue Allocate(nint allocator, TensorElementType type, ReadOnlySpan<long> shape)
    {
        TensorElementTypes.ElementCount(shape);
        var api = OnnxRuntimeEnvironment.Shared.Api;
        nint raw;
        fixed (long* shapePtr = shape)
        {
            OrtStatus.Check(api.CreateTensorAsOrtValue(allocator, shapePtr, (nuint)shape.Length, type, &raw));
        }

        return new OrtValue(new OrtValueHandle(raw));
    }

    /// <summary>The tensor's data as a span, without copying. Valid until the tensor is disposed.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match the element type, or the data is not on the host.</exception>
    public Span<T> GetTensorSpan<T>()
        where T : unmanaged
    {
        var expected = TensorElementTypes.Of<T>();
        if (expected != ElementType)
        {
            throw new InvalidOperationException($"The tensor holds {ElementType}, not {expected}.");
        }

        var location = Location;
        if (!location.IsHost)
        {
            throw new InvalidOperationException($"The tensor lives in {location} memory; copy it to a host tensor first.");
        }

        void* data;
        using var use = new HandleUse(Handle);
        OrtStatus.Check(Api.GetTensorMutableData(use.Raw, &data));
        return new Span<T>(data, checked((int)ElementCount));
    }

    /// <summary>
    /// Copies this tensor into <paramref name="destination"/> (same type and shape). Host to host is a
    /// plain memory copy; across devices this uses ORT's <c>CopyTensors</c>, which needs the device's
    /// data transfer registered with the environment (plugin execution providers). For a classic
    /// provider such as CUDA added to a session, use <see cref="InferenceSession.CopyTensor"/>.
    /// </summary>
    public void CopyTo(OrtValue destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        EnsureSameTypeAndShape(destination);
        if (Location.IsHost && destination.Location.IsHost)
        {
            var bytes = ByteCount;
            using var sourceUse = new HandleUse(Handle);
            using var targetUse = new HandleUse(destination.Handle);
            void* from;
            void* to;
            OrtStatus.Check(Api.GetTensorMutableData(sourceUse.Raw, &from));
            OrtStatus.Check(Api.GetTensorMutableData(targetUse.Raw, &to));
            Buffer.MemoryCopy(from, to, bytes, bytes);
            return;
        }

        var env = OnnxRuntimeEnvironment.Shared;
        using var source = new HandleUse(Handle);
        using var target = new HandleUse(destination.Handle);
        using var envUse = new HandleUse(env.Handle);
        var src = source.Raw;
        var dst = target.Raw;
        OrtStatus.Check(env.Api.CopyTensors(envUse.Raw, &src, &dst, 0, 1));
    }

    /// <summary>Throws unless <paramref name="other"/> has this tensor's element type and shape.</summary>
    internal void EnsureSameTypeAndShape(OrtValue other)
    {
        if (other.ElementType != ElementType || !other.Shape.SequenceEqual(Shape))
        {
            throw new ArgumentException("The destination tensor must have the same element type and shape.", nameof(other));
        }
    }

    public void Dispose() => Handle.Dispose();

    private void EnsureTypeAndShape()
    {
        if (_shape is not null)
        {
            return;
        }

        nint info;
        using (var use = new HandleUse(Handle))
        {
            OrtStatus.Check(Api.GetTensorTypeAndShape(use.Raw, &info));
        }

        using var infoHandle = new OrtTensorTypeAndShapeInfoHandle(info);
        var (type, shape, _) = TensorInfo.Read(Api, info);
        _elementType = type;
        _shape = shape;
    }
}
