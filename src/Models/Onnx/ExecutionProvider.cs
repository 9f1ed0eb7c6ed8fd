namespace Atelier.Models.Onnx;

/// <summary>Which execution provider runs a session's nodes. The CPU provider is always present as the fallback for nodes other providers do not take.</summary>
public enum ExecutionProvider
{
    Cpu = 0,
    Cuda = 1,
}
