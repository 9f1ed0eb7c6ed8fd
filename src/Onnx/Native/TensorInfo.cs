using System.Runtime.InteropServices;

namespace Atelier.Onnx.Native;

/// <summary>Reads element type, dimensions and symbolic dimension names from an <c>OrtTensorTypeAndShapeInfo*</c>.</summary>
internal static unsafe class TensorInfo
{
    /// <param name="api">The API table.</param>
    /// <param name="info"><c>const OrtTensorTypeAndShapeInfo*</c>, not released here.</param>
    public static (TensorElementType Type, long[] Shape, string[] SymbolicDimensions) Read(OrtApi api, nint info)
    {
        TensorElementType type;
        nuint rank;
        OrtStatus.Check(api.GetTensorElementType(info, &type));
        OrtStatus.Check(api.GetDimensionsCount(info, &rank));
        var shape = new long[(int)rank];
        var symbols = new string[(int)rank];
        if (rank > 0)
        {
            fixed (long* dims = shape)
            {
                OrtStatus.Check(api.GetDimensions(info, dims, rank));
            }

            var names = new nint[(int)rank];
            fixed (nint* namesPtr = names)
            {
                OrtStatus.Check(api.GetSymbolicDimensions(info, (byte**)namesPtr, rank));
            }

            for (var i = 0; i < names.Length; i++)
            {
                symbols[i] = Marshal.PtrToStringUTF8(names[i]) ?? string.Empty;
            }
        }

        return (type, shape, symbols);
    }
}
