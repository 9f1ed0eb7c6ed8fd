using Atelier.Grains;
using Atelier.Grains.Memory;
using Atelier.Imaging;
using Atelier.Models.Store;

namespace Atelier.Silo.Errors;

/// <summary>How each typed error becomes an HTTP status and problem code.</summary>
internal static class ExceptionMapping
{
    /// <summary>Seconds clients are asked to wait after an overload.</summary>
    public const int RetryAfterSeconds = 2;

    /// <param name="Detail">The detail to answer instead of the exception's message (whose text is Orleans' internals).</param>
    public readonly record struct Mapping(int Status, string Code, string Title, bool RetryAfter = false, string? Detail = null);

    private const string OwnerUnreachable = "The silo that holds this session cannot be reached right now; retry shortly.";

    /// <summary>The mapping for a known error, or null for an unexpected one (500).</summary>
    public static Mapping? Map(Exception exception) => exception switch
    {
        AtelierException e => FromCode(e.Code),
        ImageFormatException e => FromCode(e.Code),
        RequestRejectedException e => new(e.Status, e.Code, TitleOf(e.Status)),
        ModelRegistrationException { Code: "archive_too_large" } e => new(StatusCodes.Status413PayloadTooLarge, e.Code, "Model archive too large"),
        ModelRegistrationException e => new(StatusCodes.Status400BadRequest, e.Code, "Model archive refused"),
        // The store holds a model that cannot be loaded: a server-side fault with its own code (the message names the file).
        Atelier.Models.Manifest.ModelManifestException => new(StatusCodes.Status500InternalServerError, ErrorCodes.ModelLoadFailed, "Model cannot be loaded"),
        // The session's owner died or cannot be reached, and the call could not be retried (or its retry budget ran out).
        SiloUnavailableException or OrleansMessageRejectionException => FromCode(ErrorCodes.Overloaded) with { Detail = OwnerUnreachable },
        DeviceMemoryExhaustedException => FromCode(ErrorCodes.Overloaded),
        // A grain call that outlived Cluster:ResponseTimeout (a queue longer than the silo can serve in time): the
        // client should come back later, not see a server fault.
        TimeoutException => FromCode(ErrorCodes.Overloaded) with { Detail = "The request did not complete in time; retry shortly." },
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, "Request body too large"),
        BadHttpRequestException e => new(e.StatusCode, ErrorCodes.InvalidRequest, "Bad request"),
        System.Text.Json.JsonException => new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Malformed JSON body"),
        // Tensors that do not fit the graph they were sent to (KServe v2, SageMaker): the message names the tensor.
        Atelier.Models.Tensors.TensorRequestException => new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Tensors do not fit the model"),
        _ => null,
    };

    public static Mapping FromCode(string code) => code switch
    {
        "session_not_found" => new(404, code, "Session not found"),
        "model_not_found" => new(404, code, "Model not found"),
        "nothing_to_undo" => new(409, code, "Nothing to undo or redo"),
        "no_selection" => new(409, code, "No selection"),
        "model_not_available" => new(501, code, "Model not available"),
        "invalid_prompt" => new(400, code, "Invalid prompt"),
        "unsupported_media_type" => new(415, code, "Unsupported media type"),
        "image_too_large" => new(413, code, "Image too large"),
        "image_corrupt" => new(422, code, "Image corrupt"),
        ErrorCodes.Overloaded => new(503, code, "Overloaded", RetryAfter: true),
        ErrorCodes.ClusterUnavailable => new(503, code, "Cluster store unavailable", RetryAfter: true),
        "session_moved" => new(503, code, "Session moved to another silo", RetryAfter: true),
        ErrorCodes.RateLimited => new(429, code, "Too many requests", RetryAfter: true),
        ErrorCodes.Unauthorized => new(401, code, "Unauthorized"),
        ErrorCodes.Forbidden => new(403, code, "Forbidden"),
        _ => new(400, code, "Request failed"),
    };

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Request body too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not found",
        _ => "Invalid request",
    };
}
