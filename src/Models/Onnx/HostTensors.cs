using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Onnx;

/// <summary>Where a tensor lives, and moving a device tensor's contents to host memory through ORT.</summary>
public static class HostTensors
{
    /// <summary>True when <paramref name="value"/>'s data is in CPU memory (readable as a span).</summary>
    public static bool IsOnHost(OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.GetTensorMemoryInfo().GetDeviceType() == OrtMemoryInfoDeviceType.CPU;
    }

    /// <summary>A new CPU tensor of <paramref name="type"/> and <paramref name="shape"/> from ORT's default allocator.</summary>
    public static OrtValue Allocate(TensorElementType type, long[] shape) =>
        OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);

    /// <summary>
    /// A CPU copy of <paramref name="value"/> (any device), made by ORT (<see cref="OrtEnv.CopyTensors"/>). The caller disposes it.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ORT has no data transfer registered for the source device.</exception>
    public static OrtValue CopyToHost(OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = value.GetTensorTypeAndShape();
        var copy = Allocate(info.ElementDataType, info.Shape);
        try
        {
            if (IsOnHost(value))
            {
                value.GetTensorMutableRawData().CopyTo(copy.GetTensorMutableRawData());
            }
            else
            {
                OnnxRuntimeEnvironment.EnsureCreated().CopyTensors([value], [copy], null);
            }

            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }
}
