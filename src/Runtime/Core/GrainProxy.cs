using System.Reflection;

namespace Atelier.Runtime;

/// <summary>
/// Base of the run-time generated grain references (<see cref="DispatchProxy"/>): every interface call becomes a
/// runtime call with the method's precomputed <see cref="GrainMethod"/>. Equality is by grain id.
/// </summary>
#pragma warning disable CA1852 // DispatchProxy derives a generated type from this class: it must not be sealed.
internal class GrainProxy : DispatchProxy
#pragma warning restore CA1852
{
    private SiloRuntime? _runtime;
    private GrainInterfaceInfo? _interface;

    public GrainId Id { get; private set; }

    public void Initialize(SiloRuntime runtime, GrainInterfaceInfo grainInterface, GrainId id)
    {
        _runtime = runtime;
        _interface = grainInterface;
        Id = id;
    }

    public override bool Equals(object? obj) => obj is GrainProxy other && other.Id == Id;

    public override int GetHashCode() => Id.GetHashCode();

    public override string ToString() => Id.ToString();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = _interface!.GetMethod(targetMethod!);
        return method.ToReturnValue(_runtime!.InvokeAsync(Id, _interface, method, args ?? []));
    }
}
