namespace Atelier.Imaging.Codecs;

/// <summary>Channel shuffles shared by the decoders.</summary>
internal static class PixelConvert
{
    /// <summary>Splits interleaved RGBA into RGB and (optionally) an alpha plane.</summary>
    public static void SplitRgba(ReadOnlySpan<byte> rgba, Span<byte> rgb, Span<byte> alpha, bool keepAlpha)
    {
        var pixels = rgba.Length / 4;
        for (int i = 0, s = 0, d = 0; i < pixels; i++, s += 4, d += 3)
        {
            rgb[d] = rgba[s];
            rgb[d + 1] = rgba[s + 1];
            rgb[d + 2] = rgba[s + 2];
            if (keepAlpha)
            {
                alpha[i] = rgba[s + 3];
            }
        }
    }

    /// <summary>
    /// CMYK as libjpeg returns it (Adobe convention: stored inverted, 255 = no ink) to RGB:
    /// <c>R = round(C·K / 255)</c>, likewise G from M and B from Y. YCCK files come out of libjpeg in
    /// the same CMYK form.
    /// </summary>
    public static void CmykToRgb(ReadOnlySpan<byte> cmyk, Span<byte> rgb)
    {
        var pixels = cmyk.Length / 4;
        for (int i = 0, s = 0, d = 0; i < pixels; i++, s += 4, d += 3)
        {
            int k = cmyk[s + 3];
            rgb[d] = Mul255(cmyk[s], k);
            rgb[d + 1] = Mul255(cmyk[s + 1], k);
            rgb[d + 2] = Mul255(cmyk[s + 2], k);
        }
    }

    /// <summary>round(a·b/255) exactly, for a, b in 0..255.</summary>
    private static byte Mul255(int a, int b)
    {
        var t = (a * b) + 128;
        return (byte)((t + (t >> 8)) >> 8);
    }
}
