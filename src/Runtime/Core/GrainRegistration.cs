namespace Atelier.Runtime;

/// <summary>A grain interface and the class that implements it (added to DI by <c>AddGrain</c>).</summary>
/// <param name="InterfaceType">The grain interface.</param>
/// <param name="ImplementationType">A non-abstract <see cref="Grain"/> subclass implementing it.</param>
public sealed record GrainRegistration(Type InterfaceType, Type ImplementationType);
