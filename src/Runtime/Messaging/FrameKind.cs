namespace Atelier.Runtime;

/// <summary>The kinds of runtime frames (byte 1 of every frame; byte 0 is <see cref="MessageCodec.Version"/>).</summary>
internal enum FrameKind : byte
{
    Request = 1,
    Response = 2,
    Cancel = 3,
    Migrate = 4,
}
