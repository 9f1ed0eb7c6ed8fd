using Microsoft.Win32.SafeHandles;

namespace Atelier.Imaging.Native;

/// <summary>Owns a <c>tjhandle</c>; released with <c>tjDestroy</c>. A handle is used by one thread at a time.</summary>
internal sealed class TurboJpegHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public TurboJpegHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => TurboJpegNative.Destroy(handle) == 0;
}
