using System.Text.Json.Serialization;

namespace Atelier.Models.Manifest;

/// <summary>Which sampler drives the denoising loop of an <c>sd-inpaint</c> model.</summary>
public enum SdScheduler
{
    /// <summary>From <c>scheduler_config.json</c>'s <c>_class_name</c>: Euler ancestral for <c>EulerAncestralDiscreteScheduler</c>, DDIM otherwise. Default.</summary>
    Auto,

    /// <summary>DDIM (η = 0, deterministic given the initial noise).</summary>
    Ddim,

    /// <summary>Euler ancestral (adds seeded noise every step).</summary>
    [JsonStringEnumMemberName("euler-ancestral")]
    EulerAncestral,
}

/// <summary>The <c>sdInpaint</c> section of a manifest (kind <c>sd-inpaint</c>); defaults fit the SD2-inpainting export.</summary>
public sealed record SdInpaintSettings
{
    /// <summary>Model resolution in pixels (square; a multiple of 64). A UNet with a fixed latent size overrides it. Default: 512.</summary>
    public int Size { get; init; } = 512;

    /// <summary>The VAE's <c>scaling_factor</c> (latents are multiplied by it after encoding, divided before decoding). Default: 0.18215.</summary>
    public double LatentScale { get; init; } = 0.18215;

    /// <summary>Sampler. Default: <see cref="SdScheduler.Auto"/>.</summary>
    public SdScheduler Scheduler { get; init; } = SdScheduler.Auto;

    /// <summary>
    /// Token that pads the prompt to the text encoder's length: <c>&lt;|endoftext|&gt;</c> for SD 1.x, <c>!</c> for SD 2.x
    /// (its tokenizer's <c>pad_token</c>). Default: <c>&lt;|endoftext|&gt;</c>.
    /// </summary>
    public string PadToken { get; init; } = "<|endoftext|>";
}
