namespace Atelier.Onnx;

/// <summary>How ORT schedules independent graph nodes (same values as <c>ExecutionMode</c>).</summary>
public enum ExecutionMode
{
    Sequential = 0,
    Parallel = 1,
}
