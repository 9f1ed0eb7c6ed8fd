namespace Atelier.Onnx;

/// <summary>ORT's graph optimization levels (same values as <c>GraphOptimizationLevel</c>).</summary>
public enum GraphOptimizationLevel
{
    DisableAll = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}
