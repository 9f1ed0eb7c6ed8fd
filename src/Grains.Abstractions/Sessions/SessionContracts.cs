using Orleans.Concurrency;

namespace Atelier.Grains;

/// <summary>An uploaded image as received: the bytes are sniffed, the declared type only cross-checked.</summary>
/// <param name="Content">The encoded image (JPEG, PNG or WebP). Travels between silos as raw bytes.</param>
/// <param name="DeclaredContentType">The client's Content-Type, if any; a mismatch with the content is an error.</param>
[GenerateSerializer, Immutable, Alias("atelier.image-upload")]
public sealed record ImageUpload(byte[] Content, string? DeclaredContentType);

/// <summary>Options of a new session.</summary>
/// <param name="Model">Segmenter model id; null for the configured default.</param>
/// <param name="Ttl">Idle time-to-live; null for the configured default.</param>
[GenerateSerializer, Immutable, Alias("atelier.open-session-options")]
public sealed record OpenSessionOptions(string? Model, TimeSpan? Ttl);

/// <summary>Where a session's embedding currently lives.</summary>
[GenerateSerializer, Alias("atelier.embedding-residency")]
public enum EmbeddingResidency
{
    /// <summary>On the device: a click runs the decoder only.</summary>
    Device,

    /// <summary>Demoted to host memory under pressure; promoted back on the next click.</summary>
    Host,

    /// <summary>Not cached: recomputed from the image on the next click.</summary>
    None,
}

/// <summary>What the API shows of a session.</summary>
[GenerateSerializer, Immutable, Alias("atelier.session-info")]
public sealed record SessionInfo(
    string Id,
    int Width,
    int Height,
    string Model,
    int Version,
    bool CanUndo,
    bool CanRedo,
    EmbeddingResidency Embedding,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int TtlSeconds,
    string Silo);

/// <summary>A click: points in the original image's pixel frame with labels (1 foreground, 0 background), and/or a box.</summary>
[GenerateSerializer, Immutable, Alias("atelier.segment-request")]
public sealed record SegmentRequest(
    IReadOnlyList<PromptPoint> Points,
    PromptBox? Box,
    bool Multimask,
    bool Refine,
    int Dilate)
{
    /// <summary>
    /// How the caller will read the masks: the best mask as PNG (<see cref="SegmentResult.BestMaskPng"/>), the masks
    /// as COCO RLE (<see cref="MaskResult.Rle"/>), or both (the default). A click encodes only what is asked for.
    /// </summary>
    [Id(5)]
    public MaskEncodings Encodings { get; init; } = MaskEncodings.Png | MaskEncodings.Rle;
}

/// <summary>Encodings of a segmentation result a caller reads.</summary>
[Flags]
[GenerateSerializer, Alias("atelier.mask-encodings")]
public enum MaskEncodings
{
    /// <summary>The best mask as a single-channel PNG.</summary>
    Png = 1,

    /// <summary>Every returned mask as COCO compressed RLE.</summary>
    Rle = 2,
}

/// <summary>A prompt point; <paramref name="Label"/> is 1 (foreground) or 0 (background).</summary>
[GenerateSerializer, Immutable, Alias("atelier.prompt-point")]
public readonly record struct PromptPoint(float X, float Y, int Label);

/// <summary>A box prompt as two corners.</summary>
[GenerateSerializer, Immutable, Alias("atelier.prompt-box")]
public readonly record struct PromptBox(float X0, float Y0, float X1, float Y1);

/// <summary>Options of subject selection.</summary>
[GenerateSerializer, Immutable, Alias("atelier.select-subject-request")]
public sealed record SelectSubjectRequest(int Dilate);

/// <summary>
/// One mask: predicted quality, size, bounding box <c>[x, y, w, h]</c> and COCO compressed RLE (null when the request
/// did not ask for <see cref="MaskEncodings.Rle"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("atelier.mask-result")]
public sealed record MaskResult(float Score, long Area, int[] Bbox, RleMask? Rle);

/// <summary>COCO RLE: <c>size = [h, w]</c>, <c>counts</c> in pycocotools' compressed string form (column-major).</summary>
[GenerateSerializer, Immutable, Alias("atelier.rle-mask")]
public sealed record RleMask(int[] Size, string Counts);

/// <summary>
/// Masks best first, the best one also as a single-channel 0/255 PNG at the original size (empty when the request did
/// not ask for <see cref="MaskEncodings.Png"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("atelier.segment-result")]
public sealed record SegmentResult(IReadOnlyList<MaskResult> Masks, byte[] BestMaskPng, double ElapsedMs)
{
    /// <summary>The silo that executed the call (the session's owner).</summary>
    [Id(3)]
    public string? Silo { get; init; }
}

/// <summary>Erase (inpaint) the selection or a supplied mask.</summary>
/// <param name="MaskPng">A PNG mask at the image size; null to use the current selection.</param>
/// <param name="Dilate">Pixels to grow the mask by before inpainting.</param>
/// <param name="Apply">Make the result the session's new (undoable) version.</param>
[GenerateSerializer, Immutable, Alias("atelier.erase-request")]
public sealed record EraseRequest(byte[]? MaskPng, int Dilate, bool Apply);

/// <summary>Replace the selection from a text prompt (Stable Diffusion inpainting).</summary>
/// <param name="Prompt">What to paint into the masked region.</param>
/// <param name="MaskPng">A PNG mask at the image size; null to use the current selection.</param>
/// <param name="Dilate">Pixels to grow the mask by; only pixels inside the grown mask change.</param>
/// <param name="Steps">Denoising steps.</param>
/// <param name="Guidance">Classifier-free guidance scale (≤ 1: the prompt alone).</param>
/// <param name="Seed">Seed of the noise; null for a random one. The same seed gives the same pixels.</param>
/// <param name="Apply">Make the result the session's new (undoable) version.</param>
[GenerateSerializer, Immutable, Alias("atelier.replace-request")]
public sealed record ReplaceRequest(
    string Prompt, byte[]? MaskPng, int Dilate, int Steps, float Guidance, long? Seed, bool Apply)
{
    /// <summary>What to steer away from (guidance's unconditional branch); null for the empty prompt.</summary>
    [Id(7)]
    public string? NegativePrompt { get; init; }
}

/// <summary>Progress of a replace: <paramref name="Step"/> of <paramref name="Steps"/> denoising steps done.</summary>
[GenerateSerializer, Immutable, Alias("atelier.replace-progress")]
public readonly record struct ReplaceProgress(int Step, int Steps);

/// <summary>The edited image (PNG, original size) and the session afterwards.</summary>
[GenerateSerializer, Immutable, Alias("atelier.edit-result")]
public sealed record EditResult(byte[] ImagePng, SessionInfo Session, double ElapsedMs);

/// <summary>Output encodings of <see cref="ISessionGrain.GetImage"/>.</summary>
[GenerateSerializer, Alias("atelier.image-encoding")]
public enum ImageEncoding
{
    Png,
    Jpeg,
}

/// <summary>Encoded image bytes with their media type.</summary>
[GenerateSerializer, Immutable, Alias("atelier.encoded-image")]
public sealed record EncodedImage(byte[] Content, string ContentType)
{
    /// <summary>The silo that executed the call (the session's owner).</summary>
    [Id(2)]
    public string? Silo { get; init; }
}

/// <summary>Answer of closing a session.</summary>
/// <param name="Id">The session id.</param>
/// <param name="Silo">Name of the silo that owned and closed the session.</param>
[GenerateSerializer, Immutable, Alias("atelier.session-closed")]
public sealed record SessionClosed(string Id, string Silo);
