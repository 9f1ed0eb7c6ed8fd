namespace Atelier.Models.Store;

/// <summary>Where models live and the limits on registering one. Configuration section <c>Models:Store</c>.</summary>
public sealed class ModelStoreOptions
{
    public const string SectionName = "Models:Store";

    /// <summary>Root folder of the filesystem store; one sub-folder per model. Default: <c>$ATELIER_HOME/models</c>.</summary>
    public string? RootPath { get; set; }

    /// <summary>Largest archive accepted for registration, in bytes. Default: 8 GiB.</summary>
    public long MaxArchiveBytes { get; set; } = 8L << 30;

    /// <summary>Largest total size of the extracted files of one archive, in bytes. Default: 16 GiB.</summary>
    public long MaxExtractedBytes { get; set; } = 16L << 30;

    /// <summary>Most entries (files and folders) one archive may hold. Default: 64.</summary>
    public int MaxEntries { get; set; } = 64;
}
