using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Atelier.Silo.Tests.Http;

/// <summary>The session error codes of API.md that need a session in a particular state, produced through HTTP.</summary>
public sealed class ErrorCodeTests(SessionFixture fixture) : IClassFixture<SessionFixture>
{
    [Fact]
    public async Task Undo_and_redo_on_a_fresh_session_are_409_nothing_to_undo()
    {
        var id = await SessionFixture.OpenAsync(fixture.Client, TestImages.Png(40, 30), "image/png");

        using var undo = await fixture.Client.PostAsync(new Uri($"/v1/sessions/{id}/undo", UriKind.Relative), null);
        using var redo = await fixture.Client.PostAsync(new Uri($"/v1/sessions/{id}/redo", UriKind.Relative), null);

        await ProblemAssert.IsProblemAsync(undo, HttpStatusCode.Conflict, "nothing_to_undo");
        await ProblemAssert.IsProblemAsync(redo, HttpStatusCode.Conflict, "nothing_to_undo");
    }

    [Fact]
    public async Task Erase_without_a_selection_is_409_no_selection()
    {
        var id = await SessionFixture.OpenAsync(fixture.Client, TestImages.Png(40, 30), "image/png");

        using var erase = await fixture.Client.PostAsync(new Uri($"/v1/sessions/{id}/erase", UriKind.Relative), Json("{}"));

        await ProblemAssert.IsProblemAsync(erase, HttpStatusCode.Conflict, "no_selection");
    }

    [Fact]
    public async Task Replace_without_a_text_guided_model_is_501_model_not_available()
    {
        await using var host = new ApiHost(ApiHost.Unlimited(("Sessions:ReplaceModel", "no-such-sd-model")));
        using var client = host.CreateClient();
        var id = await SessionFixture.OpenAsync(client, TestImages.Png(40, 30), "image/png");
        using var segment = await client.PostAsync(new Uri($"/v1/sessions/{id}/segment", UriKind.Relative), Json("{\"points\": [[20, 15]]}"));
        Assert.Equal(HttpStatusCode.OK, segment.StatusCode);

        using var replace = await client.PostAsync(new Uri($"/v1/sessions/{id}/replace", UriKind.Relative), Json("{\"prompt\": \"a futuristic vase\"}"));

        await ProblemAssert.IsProblemAsync(replace, HttpStatusCode.NotImplemented, "model_not_available");
    }

    [Fact]
    public async Task Closed_session_answers_404_session_not_found_everywhere()
    {
        var id = await SessionFixture.OpenAsync(fixture.Client, TestImages.Png(40, 30), "image/png");

        using var close = await fixture.Client.DeleteAsync(new Uri($"/v1/sessions/{id}", UriKind.Relative));
        using var get = await fixture.Client.GetAsync(new Uri($"/v1/sessions/{id}", UriKind.Relative));
        using var image = await fixture.Client.GetAsync(new Uri($"/v1/sessions/{id}/image", UriKind.Relative));
        using var again = await fixture.Client.DeleteAsync(new Uri($"/v1/sessions/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, close.StatusCode);
        await ProblemAssert.IsProblemAsync(get, HttpStatusCode.NotFound, "session_not_found");
        await ProblemAssert.IsProblemAsync(image, HttpStatusCode.NotFound, "session_not_found");
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.NotFound, "session_not_found");
    }

    [Fact]
    public async Task No_device_memory_is_503_overloaded_with_retry_after()
    {
        await using var host = new ApiHost(ApiHost.Unlimited(("Device:MemoryBudgetBytes", "4096"), ("Device:HostBudgetBytes", "4096")));
        using var client = host.CreateClient();
        using var content = new ByteArrayContent(TestImages.Png(40, 30));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        using var open = await client.PostAsync(new Uri("/v1/sessions", UriKind.Relative), content);

        await ProblemAssert.IsProblemAsync(open, HttpStatusCode.ServiceUnavailable, "overloaded");
        Assert.True(open.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Errors_are_problem_json_even_when_the_client_accepts_only_png()
    {
        var id = await SessionFixture.OpenAsync(fixture.Client, TestImages.Png(40, 30), "image/png");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sessions/{id}/segment") { Content = Json("{\"points\": [[4000, 15]]}") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/png"));

        using var response = await fixture.Client.SendAsync(request);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid_prompt");
        Assert.Contains("points[0]", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
