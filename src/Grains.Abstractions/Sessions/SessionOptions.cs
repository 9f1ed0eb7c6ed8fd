namespace Atelier.Grains;

/// <summary>Session behaviour and limits. Configuration section <c>Sessions</c>.</summary>
public sealed class SessionOptions
{
    public const string SectionName = "Sessions";

    /// <summary>
    /// Segmenter used when a session names none (the CLI and the browser editor send none by default, so theirs is the
    /// same). Default: <c>sam-isnet</c>, the best one setup registers for real photos (<c>sam-demo</c> is a colour wand).
    /// </summary>
    public string DefaultModel { get; set; } = "sam-isnet";

    /// <summary>Salient-object model for select-subject. Default: <c>isnet</c>.</summary>
    public string SubjectModel { get; set; } = "isnet";

    /// <summary>Inpainting model for erase. Default: <c>lama-demo</c>.</summary>
    public string EraseModel { get; set; } = "lama-demo";

    /// <summary>Text-guided inpainting model (kind <c>sd-inpaint</c>) for replace. Default: <c>sd-inpaint-demo</c>.</summary>
    public string ReplaceModel { get; set; } = "sd-inpaint-demo";

    /// <summary>Most denoising steps of a replace. Default: 150.</summary>
    public int MaxReplaceSteps { get; set; } = 150;

    /// <summary>Largest guidance scale of a replace. Default: 30.</summary>
    public float MaxGuidance { get; set; } = 30;

    /// <summary>Idle time-to-live; every call extends it. Default: 20 minutes.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Largest TTL a client may ask for. Default: 24 hours.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most image versions kept for undo/redo (including the original). Default: 20.</summary>
    public int MaxHistoryVersions { get; set; } = 20;

    /// <summary>Most bytes of decoded image versions kept for undo/redo per session. Default: 512 MiB.</summary>
    public long MaxHistoryBytes { get; set; } = 512L << 20;

    /// <summary>Most prompt points per click. Default: 32.</summary>
    public int MaxPoints { get; set; } = 32;

    /// <summary>Largest mask dilation in pixels. Default: 64.</summary>
    public int MaxDilate { get; set; } = 64;

    /// <summary>Longest text prompt for replace, in characters. Default: 1000.</summary>
    public int MaxPromptLength { get; set; } = 1000;

    /// <summary>Idempotency keys (header <c>Idempotency-Key</c>) a session remembers with their results; the keys of
    /// applied edits are saved with the session so a retry after failover is not applied twice. Default: 64 keys.</summary>
    public int MaxRememberedEdits { get; set; } = 64;

    /// <summary>Recompute the embedding right after an applied edit instead of on the next click. Default: false.</summary>
    public bool EagerReencode { get; set; }
}
