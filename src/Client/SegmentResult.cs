namespace Atelier.Client;

/// <summary>JSON answer of segment/select-subject: masks best first.</summary>
public sealed record SegmentResult(IReadOnlyList<MaskInfo> Masks, double ElapsedMs);

/// <summary>One mask: score, area in pixels, bbox <c>[x, y, w, h]</c> and COCO compressed RLE.</summary>
public sealed record MaskInfo(float Score, long Area, int[] Bbox, RleInfo Rle);

/// <summary>COCO RLE: <c>Size = [h, w]</c>, column-major compressed <c>Counts</c>.</summary>
public sealed record RleInfo(int[] Size, string Counts);

/// <summary>The best mask as a PNG (single channel, original size, 0/255) with its score.</summary>
public sealed record MaskImage(byte[] Png, float? Score, string? Silo);
