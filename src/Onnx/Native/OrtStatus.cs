using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Atelier.Onnx.Native;

/// <summary>
/// The one place an <c>OrtStatus*</c> is inspected: a null status is success; anything else becomes
/// an <see cref="OnnxRuntimeException"/> carrying ORT's code and message, and the status is
/// released in <c>finally</c> whatever happens.
/// </summary>
internal static unsafe class OrtStatus
{
    /// <param name="status"><c>OrtStatus*</c> returned by an API call.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(nint status)
    {
        if (status != 0)
        {
            Throw(status);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(nint status)
    {
        throw ToException(status);
    }

    /// <summary>Converts and releases a non-null status.</summary>
    /// <param name="status"><c>OrtStatus*</c>, owned by this call.</param>
    public static OnnxRuntimeException ToException(nint status)
    {
        Debug.Assert(status != 0);
        var api = OrtLibrary.CurrentApi;
        try
        {
            var code = api.GetErrorCode(status);
            var message = Marshal.PtrToStringUTF8((nint)api.GetErrorMessage(status)) ?? string.Empty;
            return new OnnxRuntimeException(code, message);
        }
        finally
        {
            api.ReleaseStatus(status);
        }
    }
}
