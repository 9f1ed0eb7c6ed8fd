namespace Atelier.Models.Manifest;

/// <summary>The interface a model follows; it selects the adapter that runs it. Written in <c>model.json</c> as lowercase.</summary>
public enum ModelKind
{
    /// <summary>Segment Anything: <c>encoder</c> + <c>decoder</c> files (SAM, MobileSAM, the demo models).</summary>
    Sam,

    /// <summary>LaMa-style inpainting: one <c>model</c> file taking <c>image</c> and <c>mask</c>.</summary>
    Lama,

    /// <summary>ISNet salient-object segmentation: one <c>model</c> file.</summary>
    Isnet,

    /// <summary>
    /// Text-guided (Stable Diffusion) inpainting in the diffusers/optimum ONNX layout: <c>text_encoder</c>, <c>unet</c> (9-channel input),
    /// <c>vae_encoder</c>, <c>vae_decoder</c>, <c>vocab</c>, <c>merges</c>, <c>scheduler</c> files.
    /// </summary>
    SdInpaint,

    /// <summary>Any ONNX model, run without pre/post-processing (e.g. through the KServe v2 surface).</summary>
    Onnx,
}
