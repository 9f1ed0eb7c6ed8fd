using System.Text.Json;
using Atelier.Grains;
using Atelier.Grains.Memory;
using Atelier.Imaging;
using Atelier.Silo.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atelier.Silo.Tests;

public sealed class ExceptionHandlerTests
{
    public static TheoryData<Exception, int, string> TypedErrors() => new()
    {
        { new SessionNotFoundException("Session 'x' not found."), 404, "session_not_found" },
        { new NothingToUndoException("Nothing to undo."), 409, "nothing_to_undo" },
        { new ModelNotAvailableException("No sd-inpaint model."), 501, "model_not_available" },
        { new InvalidPromptException("points[0]: outside the image."), 400, "invalid_prompt" },
        { new ImageFormatException(ImageErrorCode.UnsupportedMediaType, "Not an image."), 415, "unsupported_media_type" },
        { new ImageFormatException(ImageErrorCode.ImageTooLarge, "Too many pixels."), 413, "image_too_large" },
        { new ImageCorruptException("Truncated JPEG."), 422, "image_corrupt" },
        { new SiloUnavailableException("The owner of session x died."), 503, "overloaded" },
        { new ClusterUnavailableException("Redis is unreachable (session load)."), 503, "cluster_unavailable" },
        { new DeviceMemoryExhaustedException("No device memory."), 503, "overloaded" },
        { new TimeoutException("Call Open to session/x timed out after 00:00:30."), 503, "overloaded" },
    };

    [Theory]
    [MemberData(nameof(TypedErrors))]
    public async Task Typed_errors_become_problem_details_with_their_status_and_code(Exception error, int status, string code)
    {
        var (context, body) = await Handle(error);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.Equal(ExceptionMapping.Map(error)!.Value.Detail ?? error.Message, body.GetProperty("detail").GetString());
        Assert.Equal(status == 503, context.Response.Headers.RetryAfter.Count == 1);
    }

    [Fact]
    public async Task An_unreachable_owner_answers_503_without_orleans_internals_in_the_detail()
    {
        var (context, body) = await Handle(new SiloUnavailableException(
            "Exception while sending message: ConnectionFailedException: Unable to connect to S127.0.0.1:11111:1\n   at Orleans.Runtime.Messaging.ConnectionManager.GetConnectionAsync()"));

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("overloaded", body.GetProperty("code").GetString());
        var detail = body.GetProperty("detail").GetString()!;
        Assert.DoesNotContain("Orleans", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", detail, StringComparison.Ordinal);
        Assert.Contains("retry", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unexpected_error_is_a_500_with_a_trace_id_and_no_internals()
    {
        var (context, body) = await Handle(new InvalidOperationException("secret connection string in /etc/x"));

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("internal_error", body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
        var text = body.GetRawText();
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
    }

    private static async Task<(HttpContext Context, JsonElement Body)> Handle(Exception error)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Path = "/v1/sessions/x";
        context.Request.Headers.Accept = "application/json";
        var stream = new MemoryStream();
        context.Response.Body = stream;
        var handler = new AtelierExceptionHandler(services.GetRequiredService<Microsoft.AspNetCore.Http.IProblemDetailsService>(), NullLogger<AtelierExceptionHandler>.Instance);

        Assert.True(await handler.TryHandleAsync(context, error, CancellationToken.None));

        return (context, JsonDocument.Parse(stream.ToArray()).RootElement.Clone());
    }
}
