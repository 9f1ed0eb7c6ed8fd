using System.Runtime.InteropServices;
using System.Text;
using Atelier.Onnx.Native;

namespace Atelier.Onnx;

/// <summary>
/// Where a tensor's memory lives (<c>OrtMemoryInfo</c>): the host CPU, or a device such as CUDA GPU 0.
/// Used to bind outputs to a device and to allocate tensors on one.
/// </summary>
public sealed unsafe class OrtMemoryInfo : IDisposable
{
    /// <summary>ORT's allocator name for host memory.</summary>
    public const string CpuName = "Cpu";

    /// <summary>ORT's allocator name for CUDA device memory.</summary>
    public const string CudaName = "Cuda";

    private static OrtMemoryInfo? s_cpu;

    private OrtMemoryInfo(OrtMemoryInfoHandle handle, string name, int deviceId)
    {
        Handle = handle;
        Name = name;
        DeviceId = deviceId;
    }

    /// <summary>Host memory through ORT's CPU arena; process-lifetime (disposing it does nothing).</summary>
    public static OrtMemoryInfo Cpu => Volatile.Read(ref s_cpu) ?? CreateCpu();

    /// <summary>The allocator name: <see cref="CpuName"/>, <see cref="CudaName"/>, ...</summary>
    public string Name { get; }

    /// <summary>The device ordinal (0 for the CPU).</summary>
    public int DeviceId { get; }

    /// <summary>Whether the memory is on the host, where its bytes can be read as a span.</summary>
    public bool IsHost => Name == CpuName;

    internal OrtMemoryInfoHandle Handle { get; }

    /// <summary>Memory of an execution provider's device, e.g. <c>Create("Cuda", 0)</c>.</summary>
    public static OrtMemoryInfo Create(string name, int deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        var api = OnnxRuntimeEnvironment.Shared.Api;
        var utf8 = Encoding.UTF8.GetBytes(name + "\0");
        nint raw;
        fixed (byte* namePtr = utf8)
        {
            // OrtArenaAllocator = 1, OrtMemTypeDefault = 0
            OrtStatus.Check(api.CreateMemoryInfo(namePtr, 1, deviceId, 0, &raw));
        }

        return new OrtMemoryInfo(new OrtMemoryInfoHandle(raw), name, deviceId);
    }

    /// <summary>CUDA device memory on GPU <paramref name="deviceId"/>.</summary>
    public static OrtMemoryInfo Cuda(int deviceId = 0) => Create(CudaName, deviceId);

    /// <summary>Describes a native <c>const OrtMemoryInfo*</c> that ORT owns (name and id only).</summary>
    internal static MemoryLocation Describe(OrtApi api, nint memoryInfo)
    {
        byte* name;
        int id;
        OrtStatus.Check(api.MemoryInfoGetName(memoryInfo, &name));
        OrtStatus.Check(api.MemoryInfoGetId(memoryInfo, &id));
        return new MemoryLocation(Marshal.PtrToStringUTF8((nint)name) ?? string.Empty, id);
    }

    public void Dispose()
    {
        if (!ReferenceEquals(this, s_cpu))
        {
            Handle.Dispose();
        }
    }

    public override string ToString() => $"{Name}:{DeviceId}";

    private static OrtMemoryInfo CreateCpu()
    {
        var api = OnnxRuntimeEnvironment.Shared.Api;
        nint raw;
        // OrtArenaAllocator = 1, OrtMemTypeDefault = 0
        OrtStatus.Check(api.CreateCpuMemoryInfo(1, 0, &raw));
        var created = new OrtMemoryInfo(new OrtMemoryInfoHandle(raw), CpuName, 0);
        var winner = Interlocked.CompareExchange(ref s_cpu, created, null);
        if (winner is not null)
        {
            created.Handle.Dispose();
            return winner;
        }

        return created;
    }
}
