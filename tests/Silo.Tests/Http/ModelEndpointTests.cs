using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Models.Store;

namespace Atelier.Silo.Tests.Http;

/// <summary>Model registry over HTTP: list, get, load/unload with residency, register from an archive, delete; and the cluster view.</summary>
public sealed class ModelEndpointTests(SessionFixture fixture) : IClassFixture<SessionFixture>
{
    [Fact]
    public async Task Models_list_holds_the_setup_models_with_kinds()
    {
        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync(new Uri("/v1/models", UriKind.Relative)));

        var kinds = document.RootElement.EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("kind").GetString());

        Assert.Equal("sam", kinds["sam-demo"]);
        Assert.Equal("lama", kinds["lama-demo"]);
        Assert.Equal("isnet", kinds["isnet"]);
    }

    [Fact]
    public async Task Load_then_unload_shows_in_residency()
    {
        using var load = await fixture.Client.PostAsync(new Uri("/v1/models/lama-demo/load", UriKind.Relative), null);
        var loadBody = await load.Content.ReadAsStringAsync();
        Assert.True(load.StatusCode == HttpStatusCode.Accepted, loadBody);
        Assert.Equal("loaded", JsonNode.Parse(loadBody)!["state"]!.GetValue<string>());

        using var model = JsonDocument.Parse(await fixture.Client.GetStringAsync(new Uri("/v1/models/lama-demo", UriKind.Relative)));
        var residency = model.RootElement.GetProperty("residency").EnumerateArray().Single();
        Assert.Equal("loaded", residency.GetProperty("state").GetString());

        using var unload = await fixture.Client.PostAsync(new Uri("/v1/models/lama-demo/unload", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        Assert.True(JsonNode.Parse(await unload.Content.ReadAsStringAsync())!["unloaded"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Cluster_lists_this_silo_as_active()
    {
        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync(new Uri("/v1/cluster", UriKind.Relative)));

        var silo = document.RootElement.GetProperty("silos").EnumerateArray().Single();

        Assert.Equal("active", silo.GetProperty("status").GetString());
        Assert.True(silo.GetProperty("deviceBytesBudget").GetInt64() > 0);
        Assert.False(string.IsNullOrEmpty(silo.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Register_replace_and_delete_a_model_archive()
    {
        var root = Directory.CreateTempSubdirectory("atelier-models-").FullName;
        try
        {
            await using var host = new ApiHost(ApiHost.Unlimited(("Models:Store:RootPath", root)));
            using var client = host.CreateClient();
            var archive = SamDemoArchive("sam-copy");

            using var created = await client.PutAsync(new Uri("/v1/models/sam-copy", UriKind.Relative), Gzip(archive));
            using var replaced = await client.PutAsync(new Uri("/v1/models/sam-copy", UriKind.Relative), Gzip(archive));
            using var mismatched = await client.PutAsync(new Uri("/v1/models/other-id", UriKind.Relative), Gzip(archive));
            using var listed = await client.GetAsync(new Uri("/v1/models/sam-copy", UriKind.Relative));
            using var deleted = await client.DeleteAsync(new Uri("/v1/models/sam-copy", UriKind.Relative));
            using var gone = await client.GetAsync(new Uri("/v1/models/sam-copy", UriKind.Relative));

            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            Assert.Equal("/v1/models/sam-copy", created.Headers.Location?.OriginalString);
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, mismatched.StatusCode);
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound, "model_not_found");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Loading_a_model_whose_onnx_file_is_truncated_answers_model_load_failed_and_the_silo_stays_healthy()
    {
        var root = Directory.CreateTempSubdirectory("atelier-models-").FullName;
        try
        {
            await using var host = new ApiHost(ApiHost.Unlimited(("Models:Store:RootPath", root)));
            using var client = host.CreateClient();

            // The manifest carries the truncated file's own sha256, so only ONNX Runtime can tell it is broken.
            using var registered = await client.PutAsync(new Uri("/v1/models/sam-truncated", UriKind.Relative), Gzip(SamDemoArchive("sam-truncated", truncate: "encoder.onnx")));
            Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
            using var load = await client.PostAsync(new Uri("/v1/models/sam-truncated/load", UriKind.Relative), null);
            using var again = await client.PostAsync(new Uri("/v1/models/sam-truncated/load", UriKind.Relative), null);
            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

            var problem = await ProblemAssert.IsProblemAsync(load, HttpStatusCode.InternalServerError, "model_load_failed");
            Assert.Contains("encoder.onnx", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            await ProblemAssert.IsProblemAsync(again, HttpStatusCode.InternalServerError, "model_load_failed");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static ByteArrayContent Gzip(byte[] archive)
    {
        var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        return content;
    }

    /// <summary>
    /// The setup's sam-demo folder as a .tar.gz, its manifest re-labelled with <paramref name="id"/>; the file named
    /// <paramref name="truncate"/> (if any) is cut to half its length and its manifest sha256 updated to match.
    /// </summary>
    private static byte[] SamDemoArchive(string id, string? truncate = null)
    {
        var source = Path.Combine(AtelierCache.FindRoot() ?? throw new InvalidOperationException("no .atelier cache"), "models", "sam-demo");
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var file in Directory.EnumerateFiles(source))
            {
                var name = Path.GetFileName(file);
                if (name == "model.json")
                {
                    var manifest = JsonNode.Parse(File.ReadAllText(file))!;
                    manifest["id"] = id;
                    if (truncate is not null)
                    {
                        var full = File.ReadAllBytes(Path.Combine(source, truncate));
                        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(full.AsSpan(0, full.Length / 2)));
                        foreach (var (_, entry) in manifest["files"]!.AsObject())
                        {
                            if (entry!["path"]!.GetValue<string>() == truncate)
                            {
                                entry["sha256"] = sha;
                            }
                        }
                    }

                    var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
                }
                else if (name == truncate)
                {
                    var full = File.ReadAllBytes(file);
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(full, 0, full.Length / 2) });
                }
                else
                {
                    tar.WriteEntry(file, name);
                }
            }
        }

        return output.ToArray();
    }
}
