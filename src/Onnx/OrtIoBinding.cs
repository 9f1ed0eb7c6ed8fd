using System.Text;
using Atelier.Onnx.Native;

namespace Atelier.Onnx;

/// <summary>
/// Inputs and outputs bound to a session ahead of a run (<c>OrtIoBinding</c>). Outputs can be bound to
/// a device so results stay there (e.g. a SAM image embedding kept in GPU memory), and a returned
/// output tensor can be bound as an input of a later run without leaving the device.
/// </summary>
public sealed unsafe class OrtIoBinding : IDisposable
{
    private readonly List<OrtValue> _boundValues = [];
    private readonly List<OrtMemoryInfo> _boundDevices = [];

    internal OrtIoBinding(InferenceSession session, OrtIoBindingHandle handle)
    {
        Session = session;
        Handle = handle;
    }

    internal InferenceSession Session { get; }

    internal OrtIoBindingHandle Handle { get; }

    private static OrtApi Api => OrtLibrary.CurrentApi;

    /// <summary>Binds <paramref name="value"/> to input <paramref name="name"/>; the binding keeps it alive until cleared or disposed.</summary>
    public void BindInput(string name, OrtValue value) => Bind(name, value, input: true);

    /// <summary>Binds a preallocated tensor to receive output <paramref name="name"/>.</summary>
    public void BindOutput(string name, OrtValue value) => Bind(name, value, input: false);

    /// <summary>Lets ORT allocate output <paramref name="name"/> on <paramref name="device"/> during the run.</summary>
    public void BindOutputToDevice(string name, OrtMemoryInfo device)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(device);
        var utf8 = Encoding.UTF8.GetBytes(name + "\0");
        using var binding = new HandleUse(Handle);
        using var memory = new HandleUse(device.Handle);
        fixed (byte* namePtr = utf8)
        {
            OrtStatus.Check(Api.BindOutputToDevice(binding.Raw, namePtr, memory.Raw));
        }

        _boundDevices.Add(device);
    }

    /// <summary>
    /// The outputs of the last run, in the order they were bound. Each is a new tensor owned by the
    /// caller that shares the output's memory (on its device): keep it to feed a later run.
    /// </summary>
    public OrtValue[] GetOutputValues()
    {
        var env = OnnxRuntimeEnvironment.Shared;
        nint* values;
        nuint count;
        using var binding = new HandleUse(Handle);
        OrtStatus.Check(Api.GetBoundOutputValues(binding.Raw, env.DefaultAllocator, &values, &count));
        if (count == 0)
        {
            return [];
        }

        var result = new OrtValue[(int)count];
        try
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new OrtValue(new OrtValueHandle(values[i]));
            }
        }
        finally
        {
            OrtStatus.Check(Api.AllocatorFree(env.DefaultAllocator, values));
        }

        return result;
    }

    /// <summary>Unbinds every input.</summary>
    public void ClearInputs()
    {
        using var binding = new HandleUse(Handle);
        Api.ClearBoundInputs(binding.Raw);
        _boundValues.Clear();
    }

    /// <summary>Unbinds every output.</summary>
    public void ClearOutputs()
    {
        using var binding = new HandleUse(Handle);
        Api.ClearBoundOutputs(binding.Raw);
        _boundDevices.Clear();
    }

    /// <summary>Waits for device copies of bound inputs to finish (no-op on the CPU).</summary>
    public void SynchronizeInputs()
    {
        using var binding = new HandleUse(Handle);
        OrtStatus.Check(Api.SynchronizeBoundInputs(binding.Raw));
    }

    /// <summary>Waits for bound outputs to be ready (no-op on the CPU).</summary>
    public void SynchronizeOutputs()
    {
        using var binding = new HandleUse(Handle);
        OrtStatus.Check(Api.SynchronizeBoundOutputs(binding.Raw));
    }

    public void Dispose()
    {
        Handle.Dispose();
        _boundValues.Clear();
        _boundDevices.Clear();
    }

    private void Bind(string name, OrtValue value, bool input)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        var utf8 = Encoding.UTF8.GetBytes(name + "\0");
        using var binding = new HandleUse(Handle);
        using var valueUse = new HandleUse(value.Handle);
        fixed (byte* namePtr = utf8)
        {
            OrtStatus.Check(input
                ? Api.BindInput(binding.Raw, namePtr, valueUse.Raw)
                : Api.BindOutput(binding.Raw, namePtr, valueUse.Raw));
        }

        _boundValues.Add(value);
    }
}
