using System.Buffers;
using System.Text.Json;
using Atelier.Grains;
using Atelier.Silo.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Atelier.Silo.Endpoints;

/// <summary>Reads request bodies with hard size limits enforced while reading, never trusting Content-Length alone.</summary>
internal static class RequestBodies
{
    /// <summary>Multipart field that carries the image.</summary>
    public const string ImageField = "image";

    /// <summary>
    /// The uploaded image: the raw body, or the multipart field <see cref="ImageField"/>. The declared type is kept
    /// only to be cross-checked against the sniffed content by the session.
    /// </summary>
    public static async Task<ImageUpload> ReadImageAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadMultipartImageAsync(request, mediaType, maxBytes, cancellationToken).ConfigureAwait(false);
        }

        var content = await ReadLimitedAsync(request.Body, maxBytes, cancellationToken).ConfigureAwait(false);
        if (content.Length == 0)
        {
            throw RequestRejectedException.Invalid("image", "the body is empty; send the image bytes or a multipart field 'image'");
        }

        return new ImageUpload(content, request.ContentType);
    }

    /// <summary>The raw body (a model archive) as a stream, refusing bodies declared larger than the limit.</summary>
    public static Stream LimitedBody(HttpRequest request, long maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new RequestRejectedException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                $"body: larger than the limit of {maxBytes} bytes");
        }

        return new LimitedReadStream(request.Body, maxBytes);
    }

    /// <summary>
    /// A JSON body of <typeparamref name="T"/>, or null when the request has no body. The content type must be JSON,
    /// the size at most <paramref name="maxBytes"/>; malformed JSON names the path of the first error.
    /// </summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpRequest request, int maxBytes, JsonSerializerOptions options, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return null;
        }

        if (!request.HasJsonContentType())
        {
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "Content-Type: the body must be application/json");
        }

        var tooLarge = () => new RequestRejectedException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
            $"body: larger than the limit of {maxBytes} bytes");
        if (request.ContentLength > maxBytes)
        {
            throw tooLarge();
        }

        var (buffer, length) = await ReadPooledAsync(request, maxBytes, 64 * 1024, tooLarge, cancellationToken).ConfigureAwait(false);
        try
        {
            if (length == 0)
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize<T>(buffer.AsSpan(0, length), options)
                    ?? throw RequestRejectedException.Invalid("body", "must be a JSON object, not null");
            }
            catch (JsonException e)
            {
                throw RequestRejectedException.Invalid("body", $"malformed JSON at {e.Path ?? "$"}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The whole body in a pooled buffer the caller returns to <see cref="ArrayPool{T}.Shared"/>: it starts at
    /// Content-Length when the request declares one, else <paramref name="initialBytes"/> (never above
    /// <paramref name="maxBytes"/>), and doubles up to <paramref name="maxBytes"/> + 1;
    /// <paramref name="tooLarge"/> is thrown (and the buffer returned) as soon as more than <paramref name="maxBytes"/> arrive.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> ReadPooledAsync(
        HttpRequest request, long maxBytes, long initialBytes, Func<Exception> tooLarge, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? initialBytes, maxBytes) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > maxBytes)
                {
                    throw tooLarge();
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static async Task<ImageUpload> ReadMultipartImageAsync(HttpRequest request, MediaTypeHeaderValue mediaType, long maxBytes, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            throw RequestRejectedException.Invalid("Content-Type", "multipart/form-data needs a boundary");
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, ImageField, StringComparison.Ordinal))
                {
                    continue;
                }

                var content = await ReadLimitedAsync(section.Body, maxBytes, cancellationToken).ConfigureAwait(false);
                if (content.Length == 0)
                {
                    throw RequestRejectedException.Invalid("image", "the multipart field is empty");
                }

                return new ImageUpload(content, section.ContentType);
            }
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw RequestRejectedException.Invalid("body", "malformed multipart body");
        }
        catch (InvalidDataException)
        {
            throw RequestRejectedException.Invalid("body", "malformed multipart body");
        }

        throw RequestRejectedException.Invalid("image", "the multipart body has no field named 'image'");
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        using var collected = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (collected.Length + read > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }

                collected.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return collected.ToArray();
    }

    private static ImageTooLargeException TooLarge(long maxBytes) =>
        new($"image: the upload is larger than the limit of {maxBytes} bytes");
}
