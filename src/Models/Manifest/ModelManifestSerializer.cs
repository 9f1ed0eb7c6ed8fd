using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atelier.Models.Manifest;

/// <summary>Reads and writes <c>model.json</c>: camelCase, enums as kebab-case strings, unknown fields rejected.</summary>
public static class ModelManifestSerializer
{
    /// <summary>Largest <c>model.json</c> accepted, in bytes (64 KiB): a manifest is metadata, never data.</summary>
    public const int MaxManifestBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        MaxDepth = 8,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    /// <summary>Parses and validates a manifest; errors name the offending field (JSON path) or rule.</summary>
    public static ModelManifest Parse(ReadOnlySpan<byte> utf8Json, string source = ModelManifest.FileName)
    {
        if (utf8Json.Length > MaxManifestBytes)
        {
            throw new ModelManifestException($"{source}: {utf8Json.Length:N0} bytes is larger than the {MaxManifestBytes:N0}-byte limit for a manifest.");
        }

        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(utf8Json, Options);
        }
        catch (JsonException e)
        {
            throw new ModelManifestException($"{source}: {Describe(e)}", e);
        }

        if (manifest is null)
        {
            throw new ModelManifestException($"{source}: the manifest is null.");
        }

        ModelManifestValidator.Validate(manifest, source);
        return manifest;
    }

    /// <summary>Serializes a manifest (validated first) as indented UTF-8 JSON.</summary>
    public static byte[] Serialize(ModelManifest manifest)
    {
        ModelManifestValidator.Validate(manifest, ModelManifest.FileName);
        return JsonSerializer.SerializeToUtf8Bytes(manifest, Options);
    }

    private static string Describe(JsonException e)
    {
        // System.Text.Json's messages name the .NET type; keep its text but lead with the JSON path the author wrote.
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        return e.Path is { Length: > 0 } path ? $"{path}: {message}" : message;
    }
}
