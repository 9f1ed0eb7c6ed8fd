namespace Atelier.Silo.Errors;

/// <summary>
/// A request refused by the HTTP layer before it reached a grain (malformed JSON, wrong content type,
/// oversize body, bad query). Carries its status and stable code; the message is safe to show.
/// </summary>
internal sealed class RequestRejectedException : Exception
{
    public RequestRejectedException() : this(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Invalid request") { }

    public RequestRejectedException(string message) : this(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, message) { }

    public RequestRejectedException(string message, Exception innerException) : base(message, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Code = ErrorCodes.InvalidRequest;
    }

    public RequestRejectedException(int status, string code, string message) : base(message)
    {
        Status = status;
        Code = code;
    }

    public int Status { get; }

    public string Code { get; }

    /// <summary>A 400 <c>invalid_request</c> naming the field.</summary>
    public static RequestRejectedException Invalid(string field, string problem) => new($"{field}: {problem}");
}
