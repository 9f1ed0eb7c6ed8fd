namespace Atelier.Models.Store;

/// <summary>Formats a model archive may come in; detected from magic bytes, not the content type.</summary>
public enum ArchiveFormat
{
    /// <summary>gzip-compressed tar (<c>application/gzip</c>, <c>.tar.gz</c>).</summary>
    TarGz,

    /// <summary>zip (<c>application/zip</c>).</summary>
    Zip,
}
