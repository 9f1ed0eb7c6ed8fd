using System.Buffers.Binary;

namespace Atelier.Imaging;

/// <summary>
/// A walk over a JPEG's marker structure before Skia decodes it. Skia's JPEG codec reports only libjpeg's errors and
/// swallows its warnings, so data that ends a scan early with a stray marker ("Corrupt JPEG data: premature end of data
/// segment") or never reaches the end-of-image marker would come back as <see cref="SkiaSharp.SKCodecResult.Success"/>
/// with grey or garbage blocks. The walk makes those uploads <see cref="ImageErrorCode.ImageCorrupt"/>, as TurboJPEG's
/// stop-on-warning did before: every segment must lie inside the data, entropy-coded data may hold only stuffed bytes
/// (<c>FF 00</c>), restart markers and fill bytes, no reserved or misplaced marker code may appear, and the
/// walk must reach EOI (bytes after EOI are ignored, as libjpeg ignores them). It also bounds the number of scans
/// (<see cref="ImageDecodeOptions.MaxJpegScans"/>, TurboJPEG's 500 by default, the limit the interop used):
/// each scan of a progressive file is a pass over the whole image, so thousands of tiny scans are a known way to make
/// a small file cost minutes of CPU.
/// </summary>
internal static class JpegStructure
{
    /// <summary>Walks <paramref name="jpeg"/>; more than <paramref name="maxScans"/> scans (<see cref="ImageDecodeOptions.MaxJpegScans"/>) is corrupt.</summary>
    public static void Check(ReadOnlySpan<byte> jpeg, int maxScans)
    {
        var pos = 2; // after SOI
        var scans = 0;
        while (true)
        {
            if (pos >= jpeg.Length || jpeg[pos] != 0xFF)
            {
                ImageFormatException.ThrowCorrupt(pos >= jpeg.Length
                    ? "Corrupt or truncated JPEG data: it ends before the end-of-image marker."
                    : $"Corrupt JPEG data: no marker at offset {pos}.");
            }

            while (pos < jpeg.Length && jpeg[pos] == 0xFF)
            {
                pos++; // fill bytes before a marker
            }

            if (pos >= jpeg.Length)
            {
                ImageFormatException.ThrowCorrupt("Corrupt or truncated JPEG data: it ends inside a marker.");
            }

            var marker = jpeg[pos++];
            if (marker == 0xD9)
            {
                return; // EOI
            }

            if (marker is 0x00 or (>= 0x02 and <= 0xBF) or (>= 0xD0 and <= 0xD8))
            {
                ImageFormatException.ThrowCorrupt($"Corrupt JPEG data: unexpected marker 0x{marker:X2} at offset {pos - 2}.");
            }

            if (marker == 0x01)
            {
                continue; // TEM: a marker without a length
            }

            if (pos + 2 > jpeg.Length)
            {
                ImageFormatException.ThrowCorrupt("Corrupt or truncated JPEG data: it ends inside a segment header.");
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[pos..]);
            if (length < 2 || pos + length > jpeg.Length)
            {
                ImageFormatException.ThrowCorrupt($"Corrupt or truncated JPEG data: the segment of marker 0x{marker:X2} at offset {pos - 2} does not fit the data.");
            }

            pos += length;
            if (marker == 0xDA)
            {
                if (++scans > maxScans)
                {
                    ImageFormatException.ThrowCorrupt($"The JPEG has more than {maxScans} scans.");
                }

                pos = SkipEntropyCodedData(jpeg, pos);
            }
        }
    }

    /// <summary>Returns the offset of the marker that ends the scan starting at <paramref name="pos"/>.</summary>
    private static int SkipEntropyCodedData(ReadOnlySpan<byte> jpeg, int pos)
    {
        while (true)
        {
            var next = jpeg[pos..].IndexOf((byte)0xFF);
            if (next < 0 || pos + next + 1 >= jpeg.Length)
            {
                ImageFormatException.ThrowCorrupt("Corrupt or truncated JPEG data: the image data ends early.");
            }

            pos += next;
            var code = jpeg[pos + 1];
            if (code == 0x00 || code is >= 0xD0 and <= 0xD7)
            {
                pos += 2; // stuffed 0xFF or a restart marker
            }
            else if (code == 0xFF)
            {
                pos++; // fill byte; look again from the next 0xFF
            }
            else
            {
                return pos;
            }
        }
    }
}
