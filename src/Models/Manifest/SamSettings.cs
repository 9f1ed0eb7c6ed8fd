using System.Text.Json.Serialization;

namespace Atelier.Models.Manifest;

/// <summary>How a SAM encoder expects its image.</summary>
public enum SamEncoderInput
{
    /// <summary>
    /// The official export: <c>[1,3,1024,1024]</c> float32, resized longest side to 1024, normalized with
    /// SAM's mean/std, zero-padded bottom/right. Default.
    /// </summary>
    [JsonStringEnumMemberName("normalized-1024")]
    Normalized1024,

    /// <summary>samexporter's variant: <c>[H,W,3]</c> float32 0..255, resized only; the graph normalizes and pads.</summary>
    [JsonStringEnumMemberName("hwc-255")]
    Hwc255,
}

/// <summary>The <c>sam</c> section of a manifest.</summary>
public sealed record SamSettings
{
    /// <summary>Encoder input convention. Default: <see cref="SamEncoderInput.Normalized1024"/>.</summary>
    public SamEncoderInput EncoderInput { get; init; } = SamEncoderInput.Normalized1024;
}
