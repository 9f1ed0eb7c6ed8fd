using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Atelier.Silo.Tests.Http;

/// <summary>Malformed and hostile requests each get the right problem, and the server keeps serving afterwards.</summary>
public sealed class MalformedRequestTests(SessionFixture fixture) : IClassFixture<SessionFixture>
{
    private const string Session = "{session}";

    public sealed record Case(HttpMethod Method, string Path, Func<HttpContent?> Body, HttpStatusCode Status, string Code);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["open_empty_body"] = new(HttpMethod.Post, "/v1/sessions", () => Bytes([], "image/png"), HttpStatusCode.BadRequest, "invalid_request"),
        ["open_text_body"] = new(HttpMethod.Post, "/v1/sessions", () => Bytes("hello, world"u8.ToArray(), "text/plain"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"),
        ["open_png_declared_as_jpeg"] = new(HttpMethod.Post, "/v1/sessions", () => Bytes(TestImages.Png(16, 16), "image/jpeg"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"),
        ["open_truncated_png"] = new(HttpMethod.Post, "/v1/sessions", () => Bytes(TestImages.Png(64, 64)[..60], "image/png"), (HttpStatusCode)422, "image_corrupt"),
        ["open_oversize_body"] = new(HttpMethod.Post, "/v1/sessions", () => Bytes(new byte[70_000], "image/png"), HttpStatusCode.RequestEntityTooLarge, "image_too_large"),
        ["open_oversize_chunked_body"] = new(HttpMethod.Post, "/v1/sessions", () => Chunked(new byte[200_000], "image/png"), HttpStatusCode.RequestEntityTooLarge, "image_too_large"),
        ["open_huge_dimensions"] = new(HttpMethod.Post, "/v1/sessions", () => Bytes(TestImages.HugePngHeader(), "image/png"), HttpStatusCode.RequestEntityTooLarge, "image_too_large"),
        ["open_bad_ttl"] = new(HttpMethod.Post, "/v1/sessions?ttl=soon", () => Bytes(TestImages.Png(16, 16), "image/png"), HttpStatusCode.BadRequest, "invalid_request"),
        ["open_zero_ttl"] = new(HttpMethod.Post, "/v1/sessions?ttl=0", () => Bytes(TestImages.Png(16, 16), "image/png"), HttpStatusCode.BadRequest, "invalid_request"),
        ["open_unknown_model"] = new(HttpMethod.Post, "/v1/sessions?model=no-such-model", () => Bytes(TestImages.Png(16, 16), "image/png"), HttpStatusCode.NotFound, "model_not_found"),
        ["open_malformed_model"] = new(HttpMethod.Post, "/v1/sessions?model=..%2F..%2Fetc", () => Bytes(TestImages.Png(16, 16), "image/png"), HttpStatusCode.NotFound, "model_not_found"),
        ["open_multipart_without_image"] = new(HttpMethod.Post, "/v1/sessions", () => new MultipartFormDataContent { { new StringContent("x"), "other" } }, HttpStatusCode.BadRequest, "invalid_request"),
        ["segment_truncated_json"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[1, 2]"), HttpStatusCode.BadRequest, "invalid_request"),
        ["segment_points_wrong_type"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": \"middle\"}"), HttpStatusCode.BadRequest, "invalid_request"),
        ["segment_nan_literal"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[NaN, 1]]}"), HttpStatusCode.BadRequest, "invalid_request"),
        ["segment_nan_string"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[\"NaN\", 1]]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_overflowing_number"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[1e400, 1]]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_negative_point"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[-1, 10]]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_point_beyond_image"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[5000, 10]]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_point_one_coordinate"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[10]]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_label_two"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[10, 10]], \"labels\": [2]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_labels_count_mismatch"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[10, 10]], \"labels\": [1, 0]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_too_many_points"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [" + string.Join(',', Enumerable.Repeat("[5, 5]", 33)) + "]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_no_prompt"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"multimask\": true}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_no_body"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => null, HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_box_three_numbers"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"box\": [1, 2, 3]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_box_inverted"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"box\": [50, 40, 10, 5]}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_dilate_too_large"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[10, 10]], \"dilate\": 65}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_dilate_negative"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": [[10, 10]], \"dilate\": -1}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["segment_text_content_type"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => new StringContent("{\"points\": [[10, 10]]}", Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"),
        ["segment_json_too_deep"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"points\": " + new string('[', 100) + new string(']', 100) + "}"), HttpStatusCode.BadRequest, "invalid_request"),
        ["segment_json_too_large"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/segment", () => Json("{\"pad\": \"" + new string('x', 70_000) + "\", \"points\": [[1, 1]]}"), HttpStatusCode.RequestEntityTooLarge, "payload_too_large"),
        ["segment_unknown_session"] = new(HttpMethod.Post, "/v1/sessions/AAAAAAAAAAAAAAAAAAAAAAAA/segment", () => Json("{\"points\": [[10, 10]]}"), HttpStatusCode.NotFound, "session_not_found"),
        ["get_overlong_session_id"] = new(HttpMethod.Get, "/v1/sessions/" + new string('a', 300), () => null, HttpStatusCode.NotFound, "session_not_found"),
        ["get_session_id_with_dots"] = new(HttpMethod.Get, "/v1/sessions/a.b", () => null, HttpStatusCode.NotFound, "session_not_found"),
        ["erase_mask_not_base64"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/erase", () => Json("{\"mask\": \"not a png!\"}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["erase_mask_not_png"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/erase", () => Json("{\"mask\": \"aGVsbG8gd29ybGQ=\"}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_without_prompt"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"steps\": 20}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_prompt_too_long"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"prompt\": \"" + new string('v', 1001) + "\"}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_zero_steps"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"prompt\": \"vase\", \"steps\": 0}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_huge_guidance"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"prompt\": \"vase\", \"guidance\": 1000}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_negative_guidance"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"prompt\": \"vase\", \"guidance\": -1}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_too_many_steps"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"prompt\": \"vase\", \"steps\": 151}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_negative_prompt_too_long"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"prompt\": \"vase\", \"negativePrompt\": \"" + new string('v', 1001) + "\"}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_blank_prompt"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"prompt\": \"   \"}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["replace_dilate_too_large"] = new(HttpMethod.Post, $"/v1/sessions/{Session}/replace", () => Json("{\"prompt\": \"vase\", \"dilate\": 65}"), HttpStatusCode.BadRequest, "invalid_prompt"),
        ["image_unknown_format"] = new(HttpMethod.Get, $"/v1/sessions/{Session}/image?format=gif", () => null, HttpStatusCode.BadRequest, "invalid_request"),
        ["model_unknown"] = new(HttpMethod.Get, "/v1/models/no-such-model", () => null, HttpStatusCode.NotFound, "model_not_found"),
        ["model_put_text"] = new(HttpMethod.Put, "/v1/models/new-model", () => new StringContent("model"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"),
        ["model_put_garbage_gzip"] = new(HttpMethod.Put, "/v1/models/new-model", () => Bytes("not a gzip archive"u8.ToArray(), "application/gzip"), HttpStatusCode.BadRequest, "archive_invalid"),
        ["model_put_bad_id"] = new(HttpMethod.Put, "/v1/models/Bad%20Id", () => Bytes([1, 2, 3], "application/gzip"), HttpStatusCode.BadRequest, "invalid_request"),
        ["model_load_unknown_silo"] = new(HttpMethod.Post, "/v1/models/sam-demo/load", () => Json("{\"silo\": \"nowhere\"}"), HttpStatusCode.BadRequest, "invalid_request"),
        ["unknown_v1_route"] = new(HttpMethod.Get, "/v1/nothing-here", () => null, HttpStatusCode.NotFound, "not_found"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Malformed_request_gets_its_problem_code_and_the_server_stays_healthy(string name)
    {
        var @case = Cases[name];
        using var request = new HttpRequestMessage(@case.Method, @case.Path.Replace(Session, fixture.SessionId, StringComparison.Ordinal)) { Content = @case.Body() };

        using var response = await fixture.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, @case.Status, @case.Code);
        Assert.Equal("test-silo", Assert.Single(response.Headers.GetValues("X-Atelier-Silo")));
        using var health = await fixture.Client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task After_every_malformed_request_the_session_still_segments()
    {
        foreach (var @case in Cases.Values)
        {
            using var request = new HttpRequestMessage(@case.Method, @case.Path.Replace(Session, fixture.SessionId, StringComparison.Ordinal)) { Content = @case.Body() };
            using var response = await fixture.Client.SendAsync(request);
            Assert.Equal(@case.Status, response.StatusCode);
        }

        using var segment = await fixture.Client.PostAsync(
            new Uri($"/v1/sessions/{fixture.SessionId}/segment", UriKind.Relative),
            Json("{\"points\": [[48, 32]]}"));

        Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        Assert.Equal("image/png", segment.Content.Headers.ContentType?.MediaType);
        Assert.True(Cases.Count >= 25);
    }

    private static ByteArrayContent Bytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static StreamContent Chunked(byte[] bytes, string contentType)
    {
        // A non-seekable stream: no Content-Length, so the limit must be enforced while reading.
        var content = new StreamContent(new NonSeekableStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
