namespace Atelier.Onnx;

/// <summary>
/// A model input or output: its name, element type and shape. A dimension of -1 is dynamic;
/// its name, when the model gives one, is in <see cref="SymbolicDimensions"/> at the same index
/// (empty string for fixed or unnamed dimensions).
/// </summary>
public sealed record NodeMetadata(string Name, TensorElementType ElementType, IReadOnlyList<long> Shape, IReadOnlyList<string> SymbolicDimensions)
{
    public override string ToString()
    {
        var dims = new string[Shape.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = Shape[i] >= 0 ? Shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture)
                : SymbolicDimensions[i] is { Length: > 0 } symbol ? symbol : "?";
        }

        return $"{Name}: {ElementType}[{string.Join(',', dims)}]";
    }
}
