using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Atelier.Grpc;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Error answers name the silo that executed the session's call (its owner), not the silo that received the request:
/// two real silo processes, requests for a session sent through the one that does not own it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ErrorOwnerTests(RedisServerFixture redis)
{
    private const string OwnerTenantKey = "owner-tenant-key-0123456789";
    private const string OtherTenantKey = "other-tenant-key-0123456789";

    [Fact]
    public async Task Errors_for_a_session_sent_through_a_non_owner_name_the_owner()
    {
        var grpcPorts = RedisServerFixture.FreePorts(2);
        string[] names = ["e0", "e1"];
        await using var cluster = await SessionCluster.StartAsync(redis, names, environment: name =>
        {
            var environment = SessionCluster.DefaultEnvironment();
            environment["ATELIER__Security__ApiKeys__0__Key"] = OwnerTenantKey;
            environment["ATELIER__Security__ApiKeys__0__Tenant"] = "acme";
            environment["ATELIER__Security__ApiKeys__1__Key"] = OtherTenantKey;
            environment["ATELIER__Security__ApiKeys__1__Tenant"] = "globex";
            environment["ATELIER__Grpc__Port"] = grpcPorts[Array.IndexOf(names, name)].ToString(CultureInfo.InvariantCulture);
            return environment;
        }, apiKey: OwnerTenantKey);
        var (id, owner) = await cluster.Api.OpenAsync(cluster.Silos[0], SessionApi.Picture());
        var other = cluster.Silos.Single(s => s.Name != owner);
        var http = cluster.Http;

        // 400 invalid_prompt: a point outside the 96x64 image; only the session grain (on the owner) knows the size.
        using (var outside = await http.PostAsJsonAsync(new Uri(other.BaseAddress, $"/v1/sessions/{id}/segment"), new { points = new[] { new[] { 500.0, 10.0 } } }))
        {
            await AssertProblemAsync(outside, HttpStatusCode.BadRequest, "invalid_prompt", owner);
        }

        // 409 no_selection: erase the selection before any click.
        using (var noSelection = await http.PostAsJsonAsync(new Uri(other.BaseAddress, $"/v1/sessions/{id}/erase"), new { mask = "selection", apply = true }))
        {
            await AssertProblemAsync(noSelection, HttpStatusCode.Conflict, "no_selection", owner);
        }

        // 404 session_not_found: another tenant asks; the owner's grain answers that the session does not exist for it.
        using (var foreign = new HttpRequestMessage(HttpMethod.Get, new Uri(other.BaseAddress, $"/v1/sessions/{id}")))
        {
            foreign.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OtherTenantKey);
            using var notFound = await http.SendAsync(foreign);
            await AssertProblemAsync(notFound, HttpStatusCode.NotFound, "session_not_found", owner);
        }

        // Refused by the receiving silo before any grain ran (an id that cannot exist): that silo names itself.
        using (var malformed = await http.GetAsync(new Uri(other.BaseAddress, "/v1/sessions/not.an.id")))
        {
            await AssertProblemAsync(malformed, HttpStatusCode.NotFound, "session_not_found", other.Name);
        }

        // The same 404 over gRPC through the non-owner: the x-atelier-silo header and error trailer name the owner.
        var grpc = await GetInfoOverGrpcAsync(grpcPorts[Array.IndexOf(names, other.Name)], id, OtherTenantKey);
        Assert.Equal("5", Metadata(grpc, GrpcProtocol.StatusTrailer)); // NOT_FOUND
        Assert.Equal("session_not_found", Metadata(grpc, GrpcProtocol.AtelierCodeTrailer));
        Assert.Equal(owner, grpc.TrailingHeaders.GetValues(GrpcProtocol.AtelierSiloMetadata).Single());
        Assert.Equal(owner, grpc.Headers.GetValues(GrpcProtocol.AtelierSiloMetadata).Single());
        grpc.Dispose();

        // The errors left the session and both silos healthy: a click through the non-owner succeeds on the owner.
        using var click = await cluster.Api.SegmentAsync(other, id);
        await SessionApi.EnsureAsync(click, other);
        Assert.Equal(owner, SessionApi.Owner(click));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string silo)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
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
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync(); // trailers arrive after the body
        return response;
    }

    private static string? Metadata(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values) ? values.Single() : null;
}
