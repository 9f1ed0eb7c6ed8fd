using System.Collections.Concurrent;
using Atelier.Models.Forge.Writer;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Onnx;

/// <summary>Where a tensor lives, and moving a device tensor's contents to host memory through ORT.</summary>
public static class HostTensors
{
    // One Identity session per (CUDA device, element type), created on first use and kept for the process: a device
    // value bound as its input with the output bound to CPU memory makes ORT copy it out with the CUDA provider's own
    // data transfer (an execution provider appended to a session registers none with the environment, so
    // OrtEnv.CopyTensors cannot copy its memory).
    private static readonly ConcurrentDictionary<(int Device, TensorElementType Type), Lazy<InferenceSession>> s_transfers = new();

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
    /// A CPU copy of <paramref name="value"/>, which may live in host memory or in a CUDA device's memory (copied out
    /// by ORT through an Identity session on that device). The caller disposes it.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ORT cannot copy from the value's device.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">The value is on a CUDA device but this process cannot use CUDA.</exception>
    public static OrtValue CopyToHost(OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = value.GetTensorTypeAndShape();
        if (IsOnHost(value))
        {
            var copy = Allocate(info.ElementDataType, info.Shape);
            value.GetTensorMutableRawData().CopyTo(copy.GetTensorMutableRawData());
            return copy;
        }

        var device = value.GetTensorMemoryInfo().Id;
        var transfer = s_transfers.GetOrAdd((device, info.ElementDataType), static key => new(() => CreateTransfer(key.Device, key.Type))).Value;
        using var binding = transfer.CreateIoBinding();
        binding.BindInput("x", value);
        binding.BindOutputToDevice("y", OrtMemoryInfo.DefaultInstance);
        OnnxSessions.RunWithBinding(transfer, binding, CancellationToken.None);
        binding.SynchronizeBoundOutputs();
        return binding.GetOutputValues()[0];
    }

    private static InferenceSession CreateTransfer(int device, TensorElementType type)
    {
        var model = new OnnxModelBuilder("atelier_device_to_host")
            .InputWithUnknownShape("x", type)
            .Node("Identity", ["x"], ["y"])
            .OutputWithUnknownShape("y", type)
            .ToBytes();
        var options = new InferenceSessionOptions { ExecutionProvider = ExecutionProvider.Cuda, Cuda = { DeviceId = device } };
        return OnnxSessions.Open(model, options).Session;
    }
}
