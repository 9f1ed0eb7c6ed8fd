namespace Atelier.Grains.Sessions;

/// <summary>float32 ↔ float16 conversion of embedding buffers (about 1 M elements; a few ms).</summary>
internal static class HalfConversion
{
    public static void ToHalf(ReadOnlySpan<float> source, Span<Half> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("Destination too small.", nameof(destination));
        }

        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (Half)source[i];
        }
    }

    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("Destination too small.", nameof(destination));
        }

        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }
}
