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

/// <summary>JSON answer of replace (and the data of its SSE <c>result</c> event): the edited image and the session afterwards.</summary>
/// <param name="ContentType">Media type of <paramref name="Image"/>: <c>image/png</c>.</param>
/// <param name="Image">The edited image at the original size, base64.</param>
/// <param name="Session">The session afterwards (version, canUndo …), as <c>GET /v1/sessions/{id}</c> shows it.</param>
/// <param name="ElapsedMs">Time the session spent on the replace.</param>
internal sealed record ReplaceResponse(string ContentType, string Image, SessionResponse Session, double ElapsedMs)
{
    public static ReplaceResponse From(EditResult result, SessionResponse session) =>
        new("image/png", Convert.ToBase64String(result.ImagePng), session, result.ElapsedMs);
}

/// <summary>Data of a replace's SSE <c>progress</c> event: <paramref name="Step"/> of <paramref name="Steps"/> denoising steps done.</summary>
internal sealed record ReplaceProgressEvent(int Step, int Steps);
