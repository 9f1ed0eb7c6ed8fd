namespace Atelier.Grains.Sessions;

/// <summary>How a session keeps its cached embedding.</summary>
public enum EmbeddingPrecision
{
    /// <summary>As the encoder returns it (float32). Default.</summary>
    Float32,

    /// <summary>Half precision: half the session memory; converted to float32 for each decoder run.</summary>
    Float16,
}
