namespace Atelier.Grains.Models;

/// <summary>Order in which waiting runs get the device: clicks before encodes, so a slow encode cannot starve clicks.</summary>
public enum RunPriority
{
    /// <summary>Interactive work (SAM decoder): served first.</summary>
    Interactive,

    /// <summary>Heavy work (encoders, inpainting, salient-object).</summary>
    Batch,
}
