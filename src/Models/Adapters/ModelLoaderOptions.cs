using Atelier.Models.Onnx;

namespace Atelier.Models.Adapters;

/// <summary>How models are loaded. Configuration section <c>Models:Loader</c>.</summary>
public sealed class ModelLoaderOptions
{
    public const string SectionName = "Models:Loader";

    /// <summary>Verify every file's sha256 against the manifest before loading. Default: <see langword="true"/>.</summary>
    public bool VerifyChecksums { get; set; } = true;

    /// <summary>ONNX Runtime settings for every session of a loaded model. Default: CPU, the global thread pool.</summary>
    public InferenceSessionOptions Session { get; set; } = new();

    /// <summary>Settings of the <c>lama</c> adapter. Default: defaults of <see cref="LamaOptions"/>.</summary>
    public LamaOptions Lama { get; set; } = new();

    /// <summary>Settings of the <c>sd-inpaint</c> adapter. Default: defaults of <see cref="SdInpaintOptions"/>.</summary>
    public SdInpaintOptions SdInpaint { get; set; } = new();
}
