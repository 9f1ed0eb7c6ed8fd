using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Any silo serves any session: the call runs on the session's single owner (Orleans' directory), and every answer,
/// errors included, names that owner in <c>X-Atelier-Silo</c>, whichever silo received the request.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RoutingTests(RoutingCluster fixture) : IClassFixture<RoutingCluster>
{
    private readonly SessionCluster _cluster = fixture.Cluster;

    private SessionApi Api => _cluster.Api;

    [Fact]
    public async Task Every_call_through_any_silo_is_answered_by_the_session_owner()
    {
        var via = _cluster.Silos[0];
        var sessions = await _cluster.OpenManyAsync(via, 6);
        Assert.True(sessions.Select(s => s.Owner).Distinct().Count() > 1,
            "placement by free device memory put all six sessions on one silo: " + string.Join(", ", sessions.Select(s => s.Owner)));

        foreach (var (id, owner) in sessions)
        {
            foreach (var silo in _cluster.Silos)
            {
                using var info = await Api.InfoAsync(silo, id);
                await SessionApi.EnsureAsync(info, silo);
                Assert.Equal(owner, SessionApi.Owner(info));
                Assert.Equal(owner, (await info.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("silo").GetString());

                using var click = await Api.SegmentAsync(silo, id);
                await SessionApi.EnsureAsync(click, silo);
                Assert.Equal(owner, SessionApi.Owner(click));

                using var image = await Api.ImageAsync(silo, id);
                await SessionApi.EnsureAsync(image, silo);
                Assert.Equal(owner, SessionApi.Owner(image));
            }
        }
    }

    [Fact]
    public async Task Keyed_erase_sent_again_through_another_silo_returns_the_first_answer_without_applying_again()
    {
        var (id, owner) = await Api.OpenAsync(_cluster.Silos[0], SessionApi.Picture());
        var (first, second) = (NonOwner(owner, 0), NonOwner(owner, 1));
        byte[] applied;
        using (var erase = await Api.EraseAsync(first, id, "routing-erase-1"))
        {
            await SessionApi.EnsureAsync(erase, first);
            Assert.Equal(owner, SessionApi.Owner(erase));
            applied = await erase.Content.ReadAsByteArrayAsync();
        }

        using (var again = await Api.EraseAsync(second, id, "routing-erase-1"))
        {
            await SessionApi.EnsureAsync(again, second);
            Assert.Equal(owner, SessionApi.Owner(again));
            Assert.Equal(applied, await again.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(1, await Api.VersionAsync(second, id));
    }

    [Fact]
    public async Task Closing_through_a_non_owner_closes_the_session_on_every_silo()
    {
        var (id, owner) = await Api.OpenAsync(_cluster.Silos[0], SessionApi.Picture());

        using (var closed = await Api.CloseAsync(NonOwner(owner, 0), id))
        {
            Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
            Assert.Equal(owner, SessionApi.Owner(closed));
        }

        foreach (var silo in _cluster.Silos)
        {
            using var gone = await Api.InfoAsync(silo, id);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
    }

    [Fact]
    public async Task Invalid_prompt_400_raised_by_the_owner_names_the_owner_when_sent_through_another_silo()
    {
        var (id, owner) = await Api.OpenAsync(_cluster.Silos[0], SessionApi.Picture());

        // A point outside the 96x64 image: only the session grain, on the owner, knows the image size.
        using var outside = await _cluster.Http.PostAsJsonAsync(
            new Uri(NonOwner(owner, 0).BaseAddress, $"/v1/sessions/{id}/segment"), new { points = new[] { new[] { 500.0, 10.0 } } });

        await AssertProblemAsync(outside, HttpStatusCode.BadRequest, "invalid_prompt", owner);
    }

    [Fact]
    public async Task Unreadable_mask_400_raised_by_the_owner_names_the_owner_when_sent_through_another_silo()
    {
        var (id, owner) = await Api.OpenAsync(_cluster.Silos[0], SessionApi.Picture());

        // The owner fails to decode the mask (its error wraps the decoder's): the error crosses back to the ingress silo.
        using var unreadable = await _cluster.Http.PostAsJsonAsync(
            new Uri(NonOwner(owner, 0).BaseAddress, $"/v1/sessions/{id}/erase"),
            new { mask = Convert.ToBase64String("not a png at all"u8.ToArray()), apply = true });

        await AssertProblemAsync(unreadable, HttpStatusCode.BadRequest, "invalid_prompt", owner);
    }

    [Fact]
    public async Task No_selection_409_raised_by_the_owner_names_the_owner_when_sent_through_another_silo()
    {
        var (id, owner) = await Api.OpenAsync(_cluster.Silos[0], SessionApi.Picture());

        // Erasing "the selection" before any click.
        using var noSelection = await _cluster.Http.PostAsJsonAsync(
            new Uri(NonOwner(owner, 0).BaseAddress, $"/v1/sessions/{id}/erase"), new { mask = "selection", apply = true });

        await AssertProblemAsync(noSelection, HttpStatusCode.Conflict, "no_selection", owner);
    }

    [Fact]
    public async Task Session_not_found_404_for_another_tenant_names_the_owner_when_sent_through_another_silo()
    {
        var (id, owner) = await Api.OpenAsync(_cluster.Silos[0], SessionApi.Picture());

        using var foreign = new HttpRequestMessage(HttpMethod.Get, new Uri(NonOwner(owner, 0).BaseAddress, $"/v1/sessions/{id}"));
        foreign.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RoutingCluster.OtherTenantKey);
        using var notFound = await _cluster.Http.SendAsync(foreign);

        await AssertProblemAsync(notFound, HttpStatusCode.NotFound, "session_not_found", owner);
    }

    [Fact]
    public async Task Malformed_session_id_is_refused_by_the_receiving_silo_which_names_itself()
    {
        var via = _cluster.Silos[1];

        using var malformed = await _cluster.Http.GetAsync(new Uri(via.BaseAddress, "/v1/sessions/not.an.id"));

        await AssertProblemAsync(malformed, HttpStatusCode.NotFound, "session_not_found", via.Name);
    }

    [Fact]
    public async Task Session_not_found_over_grpc_through_another_silo_names_the_owner_in_header_and_trailer()
    {
        var (id, owner) = await Api.OpenAsync(_cluster.Silos[0], SessionApi.Picture());

        using var grpc = await GetInfoOverGrpcAsync(fixture.GrpcPort(NonOwner(owner, 0)), id, RoutingCluster.OtherTenantKey);

        Assert.Equal("5", Metadata(grpc, "grpc-status")); // NOT_FOUND
        Assert.Equal("session_not_found", Metadata(grpc, "atelier-code"));
        // A trailers-only answer (no message): its one header block carries the status and the silo, once.
        Assert.Equal(owner, Metadata(grpc, "x-atelier-silo"));
        Assert.Equal(owner, grpc.Headers.GetValues("x-atelier-silo").Single());
    }

    /// <summary>The <paramref name="index"/>-th silo that is not <paramref name="owner"/>.</summary>
    private SiloProcess NonOwner(string owner, int index) => _cluster.Silos.Where(s => s.Name != owner).ElementAt(index);

    private async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string silo)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}\n{string.Join('\n', fixture.Cluster.Silos.Select(s => s.OutputTail))}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
        Assert.Equal(silo, SessionApi.Owner(response));
    }

    /// <summary><c>atelier.v1.Sessions/GetInfo</c> by hand over h2c: the length-prefixed <c>SessionRef { session_id = 1 }</c>.</summary>
    private static async Task<HttpResponseMessage> GetInfoOverGrpcAsync(int port, string id, string apiKey)
    {
        var idBytes = Encoding.ASCII.GetBytes(id);
        var message = new byte[2 + idBytes.Length];
        message[0] = 0x0A; // field 1, length-delimited
        message[1] = checked((byte)idBytes.Length);
        idBytes.CopyTo(message, 2);
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame, 5);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}/atelier.v1.Sessions/GetInfo"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync(); // trailers arrive after the body
        return response;
    }

    private static string? Metadata(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values) ? values.Single() : null;
}
