using System.Runtime.InteropServices;
using Atelier.Grains.Memory;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Grains.Sessions;

/// <summary>
/// A session's SAM embedding, held under a <see cref="MemoryLease"/> of the silo's device budget.
/// Resident form: an <see cref="OrtValue"/> (device memory under CUDA; on CPU the "device" is host memory).
/// Under pressure the memory manager demotes it (copied to a managed host array, the device value freed)
/// or drops it (the session re-encodes on its next click). Tier changes happen on the manager's thread,
/// so the data fields are guarded by a lock; the grain only reads them inside a lease <c>Use()</c> scope,
/// during which the manager never touches them.
/// </summary>
internal sealed partial class CachedEmbedding : IMemoryReclaimer, IDisposable
{
    private readonly Lock _lock = new();
    private readonly long[] _shape;
    private OrtValue? _resident;
    private Array? _host;

    private CachedEmbedding(OrtValue resident, SamTransform transform, int version, long[] shape)
    {
        _resident = resident;
        _shape = shape;
        Transform = transform;
        Version = version;
    }

    public SamTransform Transform { get; }

    /// <summary>The image version this embedding was computed from.</summary>
    public int Version { get; }

    public MemoryLease Lease { get; private set; } = null!;

    /// <summary>
    /// Takes ownership of <paramref name="embedding"/> (converting it to half precision when asked) and
    /// reserves its bytes. Throws <see cref="DeviceMemoryExhaustedException"/> when it cannot fit.
    /// </summary>
    public static CachedEmbedding Create(
        DeviceMemoryManager memory, string owner, SamEmbedding embedding, int version, EmbeddingPrecision precision)
    {
        var shape = embedding.Value.GetTensorTypeAndShape().Shape;
        OrtValue resident;
        if (precision == EmbeddingPrecision.Float16 && HostTensors.IsOnHost(embedding.Value)) // device values stay as the encoder made them
        {
            resident = HostTensors.Allocate(TensorElementType.Float16, shape);
            HalfConversion.ToHalf(embedding.Value.GetTensorDataAsSpan<float>(), Halves(resident));
            embedding.Dispose();
        }
        else
        {
            resident = embedding.Value;
        }

        var cached = new CachedEmbedding(resident, embedding.Transform, version, shape);
        try
        {
            cached.Lease = memory.Reserve(owner, LeaseKind.SessionTensor, resident.GetTensorSizeInBytes(), cached);
        }
        catch
        {
            resident.Dispose();
            throw;
        }

        return cached;
    }

    /// <summary>
    /// The embedding as the decoder needs it (float32), for use inside a lease <c>Use()</c> scope whose tier
    /// was not <see cref="MemoryTier.Dropped"/>. Returns the resident value itself when possible
    /// (<paramref name="owned"/> false), else a temporary float32 copy the caller disposes.
    /// </summary>
    public SamEmbedding ForDecoder(out bool owned)
    {
        lock (_lock)
        {
            if (_resident is { } value && value.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float)
            {
                owned = false;
                return new SamEmbedding(value, Transform);
            }

            owned = true;
            var copy = HostTensors.Allocate(TensorElementType.Float, _shape);
            if (_resident is not null)
            {
                HalfConversion.ToSingle(Halves(_resident), copy.GetTensorMutableDataAsSpan<float>());
            }
            else if (_host is float[] floats)
            {
                floats.CopyTo(copy.GetTensorMutableDataAsSpan<float>());
            }
            else if (_host is Half[] halves)
            {
                HalfConversion.ToSingle(halves, copy.GetTensorMutableDataAsSpan<float>());
            }
            else
            {
                copy.Dispose();
                throw new InvalidOperationException("The embedding was dropped; re-encode the image.");
            }

            return new SamEmbedding(copy, Transform);
        }
    }

    /// <summary>
    /// Moves a demoted embedding back into its resident form (after the manager accepted the promotion).
    /// The promoted value is host memory: on CPU that is the device; under CUDA ORT uploads it with each
    /// decoder run until the session re-encodes (a later version could allocate it on the device again).
    /// </summary>
    public void Promote()
    {
        lock (_lock)
        {
            if (_resident is not null || _host is null)
            {
                return;
            }

            if (_host is float[] floats)
            {
                _resident = HostTensors.Allocate(TensorElementType.Float, _shape);
                floats.CopyTo(_resident.GetTensorMutableDataAsSpan<float>());
            }
            else
            {
                var halves = (Half[])_host;
                _resident = HostTensors.Allocate(TensorElementType.Float16, _shape);
                halves.CopyTo(Halves(_resident));
            }

            _host = null;
        }
    }

    /// <summary>Device → host: copy, then free the device value.</summary>
    public bool Demote(MemoryLease lease)
    {
        lock (_lock)
        {
            if (_resident is null)
            {
                return false;
            }

            var source = _resident;
            OrtValue? staged = null;
            if (!HostTensors.IsOnHost(source))
            {
                // CUDA: copy device → host through ORT first; if that transfer is unavailable, refuse (the
                // manager then drops the embedding instead, and the session re-encodes on its next click).
                try
                {
                    staged = HostTensors.CopyToHost(source);
                    source = staged;
                }
                catch (OnnxRuntimeException)
                {
                    return false;
                }
            }

            _host = source.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float
                ? source.GetTensorDataAsSpan<float>().ToArray()
                : Halves(source).ToArray();
            staged?.Dispose();
            _resident.Dispose();
            _resident = null;
            return true;
        }
    }

    public void Drop(MemoryLease lease)
    {
        lock (_lock)
        {
            _resident?.Dispose();
            _resident = null;
            _host = null;
        }
    }

    /// <summary>A float16 host tensor's elements as <see cref="Half"/> (ORT's span type for them is its own <c>Float16</c>).</summary>
    private static Span<Half> Halves(OrtValue value) => MemoryMarshal.Cast<byte, Half>(value.GetTensorMutableRawData());

    public void Dispose()
    {
        Lease?.Dispose();
        Drop(Lease!);
    }
}
