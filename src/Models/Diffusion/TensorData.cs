using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Diffusion;

/// <summary>float32 buffers in and out of tensors of whatever float type a model declares (fp32 or fp16).</summary>
internal static class TensorData
{
    /// <summary>A tensor of <paramref name="type"/> holding <paramref name="values"/> (copied when converting to fp16).</summary>
    public static OrtValue Create(TensorElementType type, float[] values, long[] shape)
    {
        switch (type)
        {
            case TensorElementType.Float:
                return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values.AsMemory(), shape);
            case TensorElementType.Float16:
                var halves = new Float16[values.Length];
                var target = MemoryMarshal.Cast<Float16, Half>(halves.AsSpan());
                for (var i = 0; i < values.Length; i++)
                {
                    target[i] = (Half)values[i];
                }

                return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, halves.AsMemory(), shape);
            default:
                throw new NotSupportedException($"Element type {type} is not a float type.");
        }
    }

    /// <summary>The tensor's values as float32 into <paramref name="destination"/> (exactly its element count).</summary>
    public static void Read(OrtValue value, Span<float> destination)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementCount != destination.Length)
        {
            throw new InvalidOperationException($"The model returned {info.ElementCount} values, expected {destination.Length} ([{string.Join(',', info.Shape)}]).");
        }

        switch (info.ElementDataType)
        {
            case TensorElementType.Float:
                value.GetTensorDataAsSpan<float>().CopyTo(destination);
                break;
            case TensorElementType.Float16:
                var source = MemoryMarshal.Cast<Float16, Half>(value.GetTensorDataAsSpan<Float16>());
                for (var i = 0; i < source.Length; i++)
                {
                    destination[i] = (float)source[i];
                }

                break;
            default:
                throw new InvalidOperationException($"The model returned {info.ElementDataType}, not a float tensor.");
        }
    }

    /// <summary>A timestep tensor of the UNet's declared type and rank: a scalar, or <paramref name="length"/> copies.</summary>
    public static OrtValue Timestep(TensorElementType type, int rank, int length, double t)
    {
        long[] shape = rank == 0 ? [] : [length];
        var count = rank == 0 ? 1 : length;
        switch (type)
        {
            case TensorElementType.Int64:
                var longs = new long[count];
                Array.Fill(longs, (long)t); // diffusers casts the (possibly fractional) timestep to the model's type
                return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, longs.AsMemory(), shape);
            case TensorElementType.Int32:
                var ints = new int[count];
                Array.Fill(ints, (int)t);
                return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ints.AsMemory(), shape);
            default:
                var floats = new float[count];
                Array.Fill(floats, (float)t);
                return Create(type, floats, shape);
        }
    }
}
