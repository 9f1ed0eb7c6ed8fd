using System.Runtime.InteropServices;

namespace Atelier.Onnx.Native;

/// <summary>
/// Base of every handle to a native ONNX Runtime object. Counts live handles process-wide so
/// tests can prove nothing leaks, including on error paths.
/// </summary>
internal abstract class OrtHandle : SafeHandle
{
    private static long s_live;

    /// <param name="raw">The native pointer, owned by this handle from now on.</param>
    protected OrtHandle(nint raw)
        : base(0, ownsHandle: true)
    {
        SetHandle(raw);
        if (raw != 0)
        {
            Interlocked.Increment(ref s_live);
        }
    }

    /// <summary>Native objects currently owned by a handle that has not been released.</summary>
    public static long LiveCount => Interlocked.Read(ref s_live);

    public override bool IsInvalid => handle == 0;

    protected sealed override bool ReleaseHandle()
    {
        Release(handle);
        Interlocked.Decrement(ref s_live);
        return true;
    }

    /// <summary>Calls the matching <c>Release*</c> entry of the API table.</summary>
    protected abstract void Release(nint raw);
}
