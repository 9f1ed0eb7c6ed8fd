using Atelier.Grains;

namespace Atelier.Silo.Endpoints;

/// <summary>A session as the API shows it (<c>POST /v1/sessions</c>, <c>GET /v1/sessions/{id}</c>, undo, redo).</summary>
internal sealed record SessionResponse(
    string Id,
    int Width,
    int Height,
    string Model,
    int Version,
    bool CanUndo,
    bool CanRedo,
    string Embedding,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int TtlSeconds,
    string Silo)
{
    public static SessionResponse From(SessionInfo info) => new(
        info.Id, info.Width, info.Height, info.Model, info.Version, info.CanUndo, info.CanRedo,
        info.Embedding switch
        {
            EmbeddingResidency.Device => "device",
            EmbeddingResidency.Host => "host",
            _ => "none",
        },
        info.CreatedAt, info.ExpiresAt, info.TtlSeconds, info.Silo);
}

/// <summary>JSON answer of segment and select-subject: masks best first.</summary>
internal sealed record SegmentResponse(IReadOnlyList<MaskResponse> Masks, double ElapsedMs)
{
    public static SegmentResponse From(SegmentResult result)
    {
        var masks = new MaskResponse[result.Masks.Count];
        for (var i = 0; i < masks.Length; i++)
        {
            var mask = result.Masks[i];
            var rle = mask.Rle ?? throw new InvalidOperationException("The segmentation was not asked for RLE masks.");
            masks[i] = new MaskResponse(mask.Score, mask.Area, mask.Bbox, new RleResponse(rle.Size, rle.Counts));
        }

        return new SegmentResponse(masks, result.ElapsedMs);
    }
}

/// <summary>One mask: score, area in pixels, bbox <c>[x, y, w, h]</c>, COCO compressed RLE.</summary>
internal sealed record MaskResponse(float Score, long Area, int[] Bbox, RleResponse Rle);

/// <summary>COCO RLE: <c>size = [h, w]</c>, column-major compressed <c>counts</c>.</summary>
internal sealed record RleResponse(int[] Size, string Counts);
