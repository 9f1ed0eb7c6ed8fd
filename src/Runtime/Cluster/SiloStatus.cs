namespace Atelier.Runtime;

/// <summary>A silo's membership status (Orleans: joining → active → shutting down → dead).</summary>
public enum SiloStatus
{
    /// <summary>Starting; not yet a placement target.</summary>
    Joining,

    /// <summary>Serving and accepting new activations.</summary>
    Active,

    /// <summary>Draining: still answers for its activations, receives no new placements.</summary>
    ShuttingDown,

    /// <summary>Gone. Its directory entries may be taken over.</summary>
    Dead,
}
