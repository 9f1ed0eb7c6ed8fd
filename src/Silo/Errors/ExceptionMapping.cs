using Atelier.Grains;
using Atelier.Grains.Memory;
using Atelier.Imaging;
using Atelier.Runtime;

namespace Atelier.Silo.Errors;

/// <summary>How each typed error becomes an HTTP status and problem code.</summary>
internal static class ExceptionMapping
{
    /// <summary>Seconds clients are asked to wait after an overload.</summary>
    public const int RetryAfterSeconds = 2;

    public readonly record struct Mapping(int Status, string Code, string Title, bool RetryAfter = false);

    /// <summary>The mapping for a known error, or null for an unexpected one (500).</summary>
    public static Mapping? Map(Exception exception) => exception switch
    {
        AtelierException e => FromCode(e.Code),
        ImageFormatException e => FromCode(e.Code),
        GrainOverloadedException => FromCode(ErrorCodes.Overloaded),
        DeviceMemoryExhaustedException => FromCode(ErrorCodes.Overloaded),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, "Request body too large"),
        BadHttpRequestException e => new(e.StatusCode, ErrorCodes.InvalidRequest, "Bad request"),
        System.Text.Json.JsonException => new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Malformed JSON body"),
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
        _ => new(400, code, "Request failed"),
    };
}
