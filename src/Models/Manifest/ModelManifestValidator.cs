using System.Text.RegularExpressions;

namespace Atelier.Models.Manifest;

/// <summary>Rules a manifest must satisfy beyond its JSON shape.</summary>
public static partial class ModelManifestValidator
{
    /// <summary>Largest number of files a model may list.</summary>
    public const int MaxFiles = 32;

    /// <summary>Roles each kind requires; kinds listed here accept no other roles (typos are caught).</summary>
    private static readonly Dictionary<ModelKind, string[]> RequiredRoles = new()
    {
        [ModelKind.Sam] = ["encoder", "decoder"],
        [ModelKind.Lama] = ["model"],
        [ModelKind.Isnet] = ["model"],
        [ModelKind.Onnx] = ["model"],
        [ModelKind.SdInpaint] = ["text_encoder", "unet", "vae_encoder", "vae_decoder", "vocab", "merges", "scheduler"],
    };

    /// <summary>Roles a kind accepts besides its required ones: the external-data files of ONNX files over 2 GB.</summary>
    private static readonly Dictionary<ModelKind, string[]> OptionalRoles = new()
    {
        [ModelKind.SdInpaint] = ["text_encoder_data", "unet_data", "vae_encoder_data", "vae_decoder_data"],
    };

    /// <summary>True for a valid model or tenant id: 1–64 of <c>a-z 0-9 . _ -</c>, first a letter or digit.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static void Validate(ModelManifest manifest, string source)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!IsValidId(manifest.Id))
        {
            Fail(source, "id", $"'{manifest.Id}' is not a valid id (1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit)");
        }

        if (string.IsNullOrWhiteSpace(manifest.Version) || manifest.Version.Length > 64)
        {
            Fail(source, "version", "must be 1-64 characters");
        }

        if (manifest.Tenant is not null && !IsValidId(manifest.Tenant))
        {
            Fail(source, "tenant", $"'{manifest.Tenant}' is not a valid tenant id");
        }

        if (manifest.Description is { Length: > 1024 })
        {
            Fail(source, "description", "must be at most 1024 characters");
        }

        if (manifest.DeclaredBytes is <= 0)
        {
            Fail(source, "declaredBytes", "must be positive");
        }

        ValidateFiles(manifest, source);
        if (manifest.SdInpaint is { } sd)
        {
            if (manifest.Kind != ModelKind.SdInpaint)
            {
                Fail(source, "sdInpaint", $"only applies to kind 'sd-inpaint', not '{manifest.Kind}'");
            }

            if (sd.Size < 64 || sd.Size > 2048 || sd.Size % 64 != 0)
            {
                Fail(source, "sdInpaint.size", $"{sd.Size} must be a multiple of 64 in 64..2048");
            }

            if (!double.IsFinite(sd.LatentScale) || sd.LatentScale <= 0 || sd.LatentScale > 100)
            {
                Fail(source, "sdInpaint.latentScale", "must be a positive number (the VAE's scaling_factor)");
            }

            if (string.IsNullOrEmpty(sd.PadToken) || sd.PadToken.Length > 32)
            {
                Fail(source, "sdInpaint.padToken", "must be 1-32 characters");
            }
        }

        if (manifest.Sam is not null && manifest.Kind != ModelKind.Sam)
        {
            Fail(source, "sam", $"only applies to kind 'sam', not '{manifest.Kind}'");
        }

        if (manifest.Lama is not null)
        {
            if (manifest.Kind != ModelKind.Lama)
            {
                Fail(source, "lama", $"only applies to kind 'lama', not '{manifest.Kind}'");
            }

            if (manifest.Lama.Size is { } size && (size < 64 || size > 4096 || size % 8 != 0))
            {
                Fail(source, "lama.size", $"{size} must be a multiple of 8 in 64..4096 (or null for a dynamic-size model)");
            }
        }
    }

    private static void ValidateFiles(ModelManifest manifest, string source)
    {
        if (manifest.Files.Count is 0 or > MaxFiles)
        {
            Fail(source, "files", $"must list 1..{MaxFiles} files");
        }

        if (RequiredRoles.TryGetValue(manifest.Kind, out var roles))
        {
            foreach (var role in roles)
            {
                if (!manifest.Files.ContainsKey(role))
                {
                    Fail(source, "files", $"kind '{Name(manifest.Kind)}' needs a '{role}' file");
                }
            }

            var optional = OptionalRoles.GetValueOrDefault(manifest.Kind, []);
            foreach (var role in manifest.Files.Keys)
            {
                if (Array.IndexOf(roles, role) < 0 && Array.IndexOf(optional, role) < 0)
                {
                    Fail(source, $"files.{role}", $"is not a role of kind '{Name(manifest.Kind)}' (expected: {string.Join(", ", roles.Concat(optional))})");
                }
            }
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (role, file) in manifest.Files)
        {
            if (!RolePattern().IsMatch(role))
            {
                Fail(source, "files", $"role '{role}' must be 1-32 characters of a-z, 0-9, '_', '-'");
            }

            if (!IsSafeRelativePath(file.Path))
            {
                Fail(source, $"files.{role}.path", $"'{file.Path}' must be a relative path inside the model folder (no '..', no leading '/', no '\\')");
            }

            if (!paths.Add(file.Path))
            {
                Fail(source, $"files.{role}.path", $"'{file.Path}' is listed twice");
            }

            if (!Sha256Pattern().IsMatch(file.Sha256))
            {
                Fail(source, $"files.{role}.sha256", "must be 64 lowercase hex digits");
            }

            if (file.MaxBatch is { } maxBatch)
            {
                if (maxBatch < 1 || maxBatch > ModelFile.MaxBatchLimit)
                {
                    Fail(source, $"files.{role}.maxBatch", $"{maxBatch} must be in 1..{ModelFile.MaxBatchLimit}");
                }

                if (maxBatch > 1 && !(manifest.Kind == ModelKind.Sam && role == "decoder"))
                {
                    Fail(source, $"files.{role}.maxBatch", $"batching is supported for the decoder of a 'sam' model only, not for '{role}' of kind '{Name(manifest.Kind)}'");
                }
            }
        }
    }

    /// <summary>True for a forward-slash relative path with no empty, <c>.</c> or <c>..</c> segment.</summary>
    public static bool IsSafeRelativePath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > 255 || path[0] == '/' || path.Contains('\\', StringComparison.Ordinal)
            || path.Contains('\0', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    internal static string Name(ModelKind kind) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());

    private static void Fail(string source, string field, string problem) =>
        throw new ModelManifestException($"{source}: {field}: {problem}.");

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9_-]{1,32}$")]
    private static partial Regex RolePattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();
}
