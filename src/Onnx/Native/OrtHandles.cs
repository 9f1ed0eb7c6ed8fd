using System.Buffers;

namespace Atelier.Onnx.Native;

// One small SafeHandle per native type; each releases through its own OrtApi entry.

/// <summary><c>OrtEnv*</c></summary>
internal sealed unsafe class OrtEnvHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseEnv(raw);
}

/// <summary><c>OrtSessionOptions*</c></summary>
internal sealed unsafe class OrtSessionOptionsHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseSessionOptions(raw);
}

/// <summary><c>OrtSession*</c></summary>
internal sealed unsafe class OrtSessionHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseSession(raw);
}

/// <summary><c>OrtMemoryInfo*</c></summary>
internal sealed unsafe class OrtMemoryInfoHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseMemoryInfo(raw);
}

/// <summary><c>OrtAllocator*</c> created for a session with <c>CreateAllocator</c>.</summary>
internal sealed unsafe class OrtAllocatorHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseAllocator(raw);
}

/// <summary><c>OrtIoBinding*</c></summary>
internal sealed unsafe class OrtIoBindingHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseIoBinding(raw);
}

/// <summary><c>OrtRunOptions*</c></summary>
internal sealed unsafe class OrtRunOptionsHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseRunOptions(raw);
}

/// <summary><c>OrtTypeInfo*</c></summary>
internal sealed unsafe class OrtTypeInfoHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseTypeInfo(raw);
}

/// <summary><c>OrtTensorTypeAndShapeInfo*</c></summary>
internal sealed unsafe class OrtTensorTypeAndShapeInfoHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseTensorTypeAndShapeInfo(raw);
}

/// <summary><c>OrtCUDAProviderOptionsV2*</c></summary>
internal sealed unsafe class OrtCudaProviderOptionsHandle(nint raw) : OrtHandle(raw)
{
    protected override void Release(nint raw) => OrtLibrary.CurrentApi.ReleaseCudaProviderOptions(raw);
}

/// <summary>
/// <c>OrtValue*</c>. When the tensor lies over caller memory, the pin on that memory is held here
/// and dropped only after ORT has released the value, so the buffer cannot move under it.
/// </summary>
internal sealed unsafe class OrtValueHandle(nint raw, MemoryHandle pin = default) : OrtHandle(raw)
{
    private MemoryHandle _pin = pin;

    protected override void Release(nint raw)
    {
        OrtLibrary.CurrentApi.ReleaseValue(raw);
        _pin.Dispose();
    }
}
