using System.Text.Json;
using System.Net;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Atelier.Client;

public sealed partial class AtelierClient
{
    /// <summary>Opens a session, streaming the image from <paramref name="image"/> (JPEG, PNG or WebP).</summary>
    /// <param name="image">Read to its end and disposed with the request.</param>
    /// <param name="contentType">Declared media type; null lets the server sniff alone.</param>
    public async Task<SessionInfo> OpenSessionAsync(Stream image, string? contentType, string? model = null, int? ttlSeconds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var query = new StringBuilder("v1/sessions");
        var separator = '?';
        if (model is not null)
        {
            query.Append(separator).Append("model=").Append(Escape(model));
            separator = '&';
        }

        if (ttlSeconds is { } ttl)
        {
            query.Append(separator).Append("ttl=").Append(ttl.ToString(CultureInfo.InvariantCulture));
        }

        var content = new StreamContent(image);
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        // Not retried: the body is a one-shot stream and opening is not idempotent.
        return await SendJsonAsync<SessionInfo>(() => Request(HttpMethod.Post, query.ToString(), content), idempotent: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a session on an image file, streamed from disk; the content type follows the extension.</summary>
    public async Task<SessionInfo> OpenSessionAsync(string path, string? model = null, int? ttlSeconds = null, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            return await OpenSessionAsync(file, MediaTypeOf(path), model, ttlSeconds, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<SessionInfo> GetSessionAsync(string id, CancellationToken cancellationToken = default) =>
        SendJsonAsync<SessionInfo>(() => Request(HttpMethod.Get, SessionPath(id)), idempotent: true, cancellationToken);

    /// <summary>Segments; answers the best mask as PNG with its score. It becomes the session's selection.</summary>
    public async Task<MaskImage> SegmentAsync(string id, SegmentPrompt prompt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        using var response = await SendAsync(() => Request(HttpMethod.Post, SessionPath(id, "/segment"), JsonBody(SegmentBody(prompt)), "image/png"), idempotent: false, cancellationToken).ConfigureAwait(false);
        return await MaskImageAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Segments; answers every mask as COCO RLE, best first.</summary>
    public Task<SegmentResult> SegmentJsonAsync(string id, SegmentPrompt prompt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return SendJsonAsync<SegmentResult>(() => Request(HttpMethod.Post, SessionPath(id, "/segment"), JsonBody(SegmentBody(prompt)), "application/json"), idempotent: false, cancellationToken);
    }

    /// <summary>Selects the salient subject; answers the mask PNG.</summary>
    public async Task<MaskImage> SelectSubjectAsync(string id, int dilate = 0, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Post, SessionPath(id, "/select-subject"), JsonBody(new { dilate }), "image/png"), idempotent: false, cancellationToken).ConfigureAwait(false);
        return await MaskImageAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public Task<SegmentResult> SelectSubjectJsonAsync(string id, int dilate = 0, CancellationToken cancellationToken = default) =>
        SendJsonAsync<SegmentResult>(() => Request(HttpMethod.Post, SessionPath(id, "/select-subject"), JsonBody(new { dilate }), "application/json"), idempotent: false, cancellationToken);

    /// <summary>Erases the selection (or a supplied mask); answers the edited image as PNG.</summary>
    public Task<byte[]> EraseAsync(string id, EraseOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EraseOptions();
        var body = new { mask = MaskField(options.MaskPng), dilate = options.Dilate, apply = options.Apply };
        return SendBytesAsync(() => Request(HttpMethod.Post, SessionPath(id, "/erase"), JsonBody(body)), idempotent: false, cancellationToken);
    }

    /// <summary>Replaces the selection from a text prompt; answers the edited image as PNG.</summary>
    public Task<byte[]> ReplaceAsync(string id, ReplaceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SendBytesAsync(() => Request(HttpMethod.Post, SessionPath(id, "/replace"), JsonBody(ReplaceBody(options))), idempotent: false, cancellationToken);
    }

    /// <summary>
    /// Replaces with step progress: asks for Server-Sent Events and reports every <c>progress</c> event to
    /// <paramref name="progress"/>, then answers the <c>result</c>; an <c>error</c> event throws <see cref="AtelierApiException"/>
    /// like any error answer. Cancelling stops the server's run and leaves the session unchanged.
    /// </summary>
    public async Task<ReplaceResult> ReplaceAsync(string id, ReplaceOptions options, IProgress<ReplaceProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var response = await SendAsync(
            () => Request(HttpMethod.Post, SessionPath(id, "/replace"), JsonBody(ReplaceBody(options)), "text/event-stream"),
            idempotent: false, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? name = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    if (line.StartsWith("event:", StringComparison.Ordinal))
                    {
                        name = line[6..].Trim();
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Append(line.AsSpan(5).TrimStart(' '));
                    }

                    continue;
                }

                // A blank line ends the event.
                switch (name)
                {
                    case "progress":
                        var step = JsonSerializer.Deserialize<ReplaceProgress>(data.ToString(), Json);
                        progress?.Report(step);
                        break;
                    case "result":
                        var result = JsonSerializer.Deserialize<ReplaceEventResult>(data.ToString(), Json)
                            ?? throw new AtelierApiException("The replace's result event was empty.");
                        return new ReplaceResult(Convert.FromBase64String(result.Image), result.Session);
                    case "error":
                        throw EventError(data.ToString());
                }

                name = null;
                data.Clear();
            }
        }

        throw new AtelierApiException("The replace's event stream ended without a result.");
    }

    private static object ReplaceBody(ReplaceOptions options) => new
    {
        prompt = options.Prompt,
        negativePrompt = options.NegativePrompt,
        mask = MaskField(options.MaskPng),
        dilate = options.Dilate,
        steps = options.Steps,
        guidance = options.Guidance,
        seed = options.Seed,
        apply = options.Apply,
    };

    /// <summary>An <c>error</c> event's problem document as the exception an error answer would throw.</summary>
    private static AtelierApiException EventError(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var status = root.TryGetProperty("status", out var s) && s.TryGetInt32(out var value) ? value : 500;
        return new AtelierApiException((HttpStatusCode)status, StringOf(root, "code") ?? "http_" + status.ToString(CultureInfo.InvariantCulture),
            StringOf(root, "title"), StringOf(root, "detail"), StringOf(root, "traceId"), null);
    }

    private sealed record ReplaceEventResult(string ContentType, string Image, SessionInfo Session);

    public Task<SessionInfo> UndoAsync(string id, CancellationToken cancellationToken = default) =>
        SendJsonAsync<SessionInfo>(() => Request(HttpMethod.Post, SessionPath(id, "/undo")), idempotent: false, cancellationToken);

    public Task<SessionInfo> RedoAsync(string id, CancellationToken cancellationToken = default) =>
        SendJsonAsync<SessionInfo>(() => Request(HttpMethod.Post, SessionPath(id, "/redo")), idempotent: false, cancellationToken);

    /// <summary>The session's current image version.</summary>
    public Task<byte[]> GetImageAsync(string id, ImageFormat format = ImageFormat.Png, CancellationToken cancellationToken = default) =>
        SendBytesAsync(() => Request(HttpMethod.Get, SessionPath(id, format == ImageFormat.Jpeg ? "/image?format=jpeg" : "/image?format=png")), idempotent: true, cancellationToken);

    /// <summary>Streams the session's current image version into <paramref name="destination"/>.</summary>
    public async Task DownloadImageAsync(string id, Stream destination, ImageFormat format = ImageFormat.Png, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var response = await SendAsync(() => Request(HttpMethod.Get, SessionPath(id, format == ImageFormat.Jpeg ? "/image?format=jpeg" : "/image?format=png")), idempotent: true, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the session; afterwards it answers <c>session_not_found</c>.</summary>
    public async Task CloseSessionAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Delete, SessionPath(id)), idempotent: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Media type by file extension (<c>.jpg</c>, <c>.png</c>, <c>.webp</c>); null otherwise.</summary>
    public static string? MediaTypeOf(string path) => Path.GetExtension(path).ToUpperInvariant() switch
    {
        ".JPG" or ".JPEG" => "image/jpeg",
        ".PNG" => "image/png",
        ".WEBP" => "image/webp",
        _ => null,
    };

    private static string SessionPath(string id, string suffix = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return "v1/sessions/" + Escape(id) + suffix;
    }

    private static object SegmentBody(SegmentPrompt prompt)
    {
        var points = new double[prompt.Points.Count][];
        var labels = new int[prompt.Points.Count];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = [prompt.Points[i].X, prompt.Points[i].Y];
            labels[i] = prompt.Points[i].Label;
        }

        double[]? box = prompt.Box is { } b ? [b.X0, b.Y0, b.X1, b.Y1] : null;
        return new { points, labels, box, multimask = prompt.Multimask, refine = prompt.Refine, dilate = prompt.Dilate };
    }

    private static string MaskField(byte[]? png) => png is null ? "selection" : Convert.ToBase64String(png);

    private static async Task<MaskImage> MaskImageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var png = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        float? score = response.Headers.TryGetValues("X-Mask-Score", out var values)
            && float.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : null;
        var silo = response.Headers.TryGetValues(SiloHeader, out var silos) ? silos.FirstOrDefault() : null;
        return new MaskImage(png, score, silo);
    }
}
