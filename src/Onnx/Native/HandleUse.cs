using System.Runtime.InteropServices;

namespace Atelier.Onnx.Native;

/// <summary>
/// Holds a reference on a <see cref="SafeHandle"/> for the duration of a native call, so a
/// concurrent <c>Dispose</c> cannot release the object while ORT is using it.
/// </summary>
internal readonly ref struct HandleUse
{
    private readonly SafeHandle _handle;

    public HandleUse(SafeHandle handle)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, handle);
        var added = false;
        handle.DangerousAddRef(ref added);
        _handle = handle;
        Raw = handle.DangerousGetHandle();
    }

    /// <summary>The native pointer, valid until this use is disposed.</summary>
    public nint Raw { get; }

    public void Dispose() => _handle.DangerousRelease();
}
