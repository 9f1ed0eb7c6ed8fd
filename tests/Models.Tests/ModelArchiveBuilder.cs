using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Atelier.Models.Tests;

/// <summary>Builds model archives in memory the way users would (and the ways attackers would).</summary>
internal static class ModelArchiveBuilder
{
    public static byte[] Payload(string seed, int length = 2048)
    {
        var bytes = new byte[length];
        new Random(seed.GetHashCode(StringComparison.Ordinal)).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A valid ISNet-kind model: model.json + model.onnx (content is opaque to the store).</summary>
    public static Dictionary<string, byte[]> IsnetModel(string id, string version = "1", string prefix = "")
    {
        var model = Payload(id + version);
        var manifest = $$"""
            {
              "id": "{{id}}",
              "kind": "isnet",
              "version": "{{version}}",
              "files": { "model": { "path": "model.onnx", "sha256": "{{Sha256(model)}}" } }
            }
            """;
        return new Dictionary<string, byte[]>
        {
            [prefix + "model.json"] = Encoding.UTF8.GetBytes(manifest),
            [prefix + "model.onnx"] = model,
        };
    }

    public static byte[] TarGz(IReadOnlyDictionary<string, byte[]> files, Action<TarWriter>? extra = null)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            }

            extra?.Invoke(tar);
        }

        return buffer.ToArray();
    }

    public static byte[] Zip(IReadOnlyDictionary<string, byte[]> files, Action<ZipArchive>? extra = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                stream.Write(bytes);
            }

            extra?.Invoke(zip);
        }

        return buffer.ToArray();
    }
}
