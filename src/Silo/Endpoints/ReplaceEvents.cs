using System.Text;
using System.Text.Json;
using Atelier.Grains;
using Atelier.Silo.Errors;

namespace Atelier.Silo.Endpoints;

/// <summary>
/// A replace answered as Server-Sent Events (<c>Accept: text/event-stream</c>):
/// <code>
/// event: progress
/// data: {"step":1,"steps":20}
///
/// event: result
/// data: {"contentType":"image/png","image":"&lt;base64&gt;","session":{…},"elapsedMs":…}
/// </code>
/// or, when the run fails after it started, <c>event: error</c> with the problem document as data. Errors found before
/// the run starts (a 404 session, a 400 body, a 501 missing model) are answered as ordinary problem responses: the
/// stream starts only with the first progress report. A client that goes away cancels the run; the session stays unchanged.
/// </summary>
internal static class ReplaceEvents
{
    public const string ContentType = "text/event-stream";

    public static async Task StreamAsync(HttpContext context, IGrainFactory grains, ISessionGrain grain, ReplaceRequest request, JsonSerializerOptions json)
    {
        var ct = context.RequestAborted;

        // The owner's name for X-Atelier-Silo (headers go out with the first event), and a 404 before anything runs.
        var owner = await grain.GetInfo(ct).ConfigureAwait(false);
        await using var updates = ReplaceStream.RunAsync(grains, grain, request, ct).GetAsyncEnumerator(ct);
        if (!await updates.MoveNextAsync().ConfigureAwait(false))
        {
            throw new InvalidOperationException("The replace ended without a result.");
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // proxies must not hold events back
        response.Headers[SessionEndpoints.SiloHeader] = owner.Silo;
        try
        {
            do
            {
                var update = updates.Current;
                if (update.Progress is { } step)
                {
                    await WriteAsync(response, "progress", JsonSerializer.SerializeToUtf8Bytes(new ReplaceProgressEvent(step.Step, step.Steps), json), ct).ConfigureAwait(false);
                }
                else if (update.Result is { } result)
                {
                    var body = ReplaceResponse.From(result, SessionResponse.From(result.Session));
                    await WriteAsync(response, "result", JsonSerializer.SerializeToUtf8Bytes(body, json), ct).ConfigureAwait(false);
                }
            }
            while (await updates.MoveNextAsync().ConfigureAwait(false));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReplaceEvents));
            var problem = AtelierExceptionHandler.ToProblem(context, e, logger, out _);
            await WriteAsync(response, "error", JsonSerializer.SerializeToUtf8Bytes(problem, json), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>One event: <c>event: name</c>, one <c>data:</c> line (compact JSON has no line breaks), a blank line; flushed.</summary>
    private static async Task WriteAsync(HttpResponse response, string name, byte[] data, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.ASCII.GetBytes($"event: {name}\ndata: "), cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
