namespace Atelier.Onnx;

/// <summary>Where a tensor's bytes live: ORT's allocator name (<c>Cpu</c>, <c>Cuda</c>, ...) and the device ordinal.</summary>
public readonly record struct MemoryLocation(string Name, int DeviceId)
{
    /// <summary>Whether the bytes are in host memory and can be read as a span.</summary>
    public bool IsHost => Name == OrtMemoryInfo.CpuName;

    public override string ToString() => $"{Name}:{DeviceId}";
}
