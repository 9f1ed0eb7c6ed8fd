namespace Atelier.Silo.Endpoints;

/// <summary>Limits the HTTP layer enforces before a request reaches a grain. Configuration section <c>Api</c>.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest image upload, in bytes, enforced while reading (raw body or multipart field). Default: 32 MiB.</summary>
    public long MaxUploadBytes { get; set; } = 32L << 20;

    /// <summary>Largest JSON request body, in bytes (room for a base64 mask PNG). Default: 16 MiB.</summary>
    public int MaxJsonBytes { get; set; } = 16 << 20;

    /// <summary>Deepest JSON nesting accepted. Default: 8.</summary>
    public int MaxJsonDepth { get; set; } = 8;

    /// <summary>Largest pixel coordinate accepted before the session checks its own size. Default: 65536.</summary>
    public float MaxCoordinate { get; set; } = 65536;

    /// <summary>Longest text prompt of <c>replace</c>, in characters. Default: 1000.</summary>
    public int MaxPromptLength { get; set; } = 1000;

    /// <summary>Most diffusion steps of <c>replace</c>. Default: 150.</summary>
    public int MaxSteps { get; set; } = 150;

    /// <summary>Longest <c>Idempotency-Key</c> header of an edit, in characters (visible ASCII). Default: 255.</summary>
    public int MaxIdempotencyKeyLength { get; set; } = 255;

    /// <summary>Largest guidance scale of <c>replace</c>. Default: 30.</summary>
    public float MaxGuidance { get; set; } = 30;
}
