using System.Runtime.InteropServices;
using Atelier.Grains.Memory;
using Atelier.Imaging;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Grains.Sessions;

/// <summary>An embedding leaving with a migrating session, and arriving on the target silo.</summary>
internal sealed partial class CachedEmbedding
{
    private CachedEmbedding(Array host, SamTransform transform, int version, long[] shape)
    {
        _host = host;
        _shape = shape;
        Transform = transform;
        Version = version;
    }

    /// <summary>
    /// The embedding's raw bytes (little-endian elements, float32 or float16 as cached) and what describes them, or
    /// null when it was dropped. Reads the resident value (staged through a host copy when it lives on a device) or
    /// the demoted host array, under the lock that tier changes take.
    /// </summary>
    public (byte[] Bytes, EmbeddingDescriptor Descriptor)? Export()
    {
        lock (_lock)
        {
            byte[] bytes;
            TensorElementType type;
            if (_resident is { } resident)
            {
                type = resident.GetTensorTypeAndShape().ElementDataType;
                if (HostTensors.IsOnHost(resident))
                {
                    bytes = ResidentBytes(resident);
                }
                else
                {
                    using var staged = HostTensors.CopyToHost(resident);
                    bytes = ResidentBytes(staged);
                }
            }
            else if (_host is float[] floats)
            {
                type = TensorElementType.Float;
                bytes = MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
            }
            else if (_host is Half[] halves)
            {
                type = TensorElementType.Float16;
                bytes = MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
            }
            else
            {
                return null;
            }

            return (bytes, new EmbeddingDescriptor(
                type == TensorElementType.Float16, _shape, Version, Transform.OriginalWidth, Transform.OriginalHeight, Transform.TargetLength));
        }
    }

    /// <summary>
    /// Rebuilds an exported embedding on this silo without running the encoder: accounted on the device when it fits
    /// (else on the host tier, promoted on the next click) through <see cref="DeviceMemoryManager.TryReserveMigrated"/>.
    /// Returns null when the bytes do not match the descriptor or neither budget has room (the session re-encodes
    /// lazily then).
    /// </summary>
    public static CachedEmbedding? Adopt(DeviceMemoryManager memory, string owner, ReadOnlySpan<byte> bytes, EmbeddingDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Shape is not { Length: > 0 } shape || shape.Any(static d => d <= 0))
        {
            return null;
        }

        var elements = shape.Aggregate(1L, static (n, d) => n * d);
        var elementSize = descriptor.IsFloat16 ? 2 : 4;
        if (elements * elementSize != bytes.Length)
        {
            return null;
        }

        Array host = descriptor.IsFloat16
            ? MemoryMarshal.Cast<byte, Half>(bytes).ToArray()
            : MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        var transform = new SamTransform(descriptor.OriginalWidth, descriptor.OriginalHeight, descriptor.TargetLength);
        var cached = new CachedEmbedding(host, transform, descriptor.Version, shape);
        var lease = memory.TryReserveMigrated(owner, bytes.Length, cached);
        if (lease is null)
        {
            return null;
        }

        cached.Lease = lease;
        if (lease.Tier == MemoryTier.Device)
        {
            cached.Promote(); // host array → resident value, as a promotion would
        }

        return cached;
    }

    private static byte[] ResidentBytes(OrtValue value) => value.GetTensorMutableRawData().ToArray();
}

/// <summary>Describes an embedding's raw bytes in a migration: precision, shape, image version and SAM transform.</summary>
[GenerateSerializer, Alias("atelier.embedding-descriptor")]
internal sealed record EmbeddingDescriptor(bool IsFloat16, long[] Shape, int Version, int OriginalWidth, int OriginalHeight, int TargetLength);
