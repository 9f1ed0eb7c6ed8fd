using System.Security.Cryptography;
using System.Text.Json;

namespace Atelier.Setup.Tests;

/// <summary>
/// A package folder on disk that the real <c>npm pack</c> turns into a tarball, so setup steps run
/// their real fetch/extract/verify code against small content made by the test.
/// </summary>
internal static class LocalNpmPackage
{
    public static string Create(string root, string name, IReadOnlyDictionary<string, byte[]> files)
    {
        var folder = Path.Combine(root, "pkg-src");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "package.json"),
            JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = name, ["version"] = "1.0.0", ["files"] = new[] { "bin", "dist" } }));
        foreach (var (relative, bytes) in files)
        {
            var path = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        return folder;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
