using System.Runtime.InteropServices;

namespace Atelier.Imaging.Native;

/// <summary><c>WebPBitstreamFeatures</c> from decode.h.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct WebPBitstreamFeatures
{
    public int Width; // int width
    public int Height; // int height
    public int HasAlpha; // int has_alpha
    public int HasAnimation; // int has_animation
    public int Format; // int format: 0 undefined/mixed, 1 lossy, 2 lossless
    public fixed uint Pad[5]; // uint32_t pad[5]
}
