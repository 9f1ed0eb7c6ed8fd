namespace Atelier.Silo.Errors;

/// <summary>Stable <c>code</c> values of ProblemDetails that are not tied to a product exception.</summary>
internal static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string PayloadTooLarge = "payload_too_large";
    public const string Unauthorized = "unauthorized";
    public const string RateLimited = "rate_limited";
    public const string Overloaded = "overloaded";
    public const string ClusterUnavailable = "cluster_unavailable";
    public const string NotFound = "not_found";
    public const string Forbidden = "forbidden";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string ImageTooLarge = "image_too_large";
    public const string InternalError = "internal_error";

    /// <summary>A registered model cannot be loaded (a file is missing or changed, or ONNX Runtime rejects it, e.g. truncated).</summary>
    public const string ModelLoadFailed = "model_load_failed";
}
