namespace Atelier.Models.Forge.Writer;

/// <summary>
/// One dimension of a graph input or output: a fixed size, or a symbolic name such as <c>"N"</c>.
/// Converts implicitly from <see cref="long"/>, <see cref="int"/> and <see cref="string"/>.
/// </summary>
public readonly record struct OnnxDim(long Value, string? Symbol)
{
    public bool IsSymbolic => Symbol is not null;

    public static implicit operator OnnxDim(long value) => new(value, null);

    public static implicit operator OnnxDim(int value) => new(value, null);

    public static implicit operator OnnxDim(string symbol) => new(-1, symbol);

    public static OnnxDim FromInt64(long value) => value;

    public static OnnxDim FromString(string symbol) => symbol;

    public override string ToString() => Symbol ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
