namespace Atelier.Runtime;

/// <summary>Marker for every grain interface. Methods must return <see cref="Task"/>, <see cref="Task{TResult}"/>,
/// <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/>.</summary>
#pragma warning disable CA1040 // Marker interfaces are the point: they mirror Orleans' grain interfaces.
public interface IGrain : IAddressable;

/// <summary>A grain addressed by a string key: <c>factory.GetGrain&lt;ISessionGrain&gt;(id)</c>.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>
/// A grain kind with exactly one activation per silo (model management, device accounting). Address the
/// local one with <see cref="IGrainFactory.GetSiloGrain{TGrainInterface}()"/> and the one on silo X with
/// <see cref="IGrainFactory.GetSiloGrain{TGrainInterface}(SiloAddress)"/>. Never placed, never in the directory.
/// </summary>
public interface IPerSiloGrain : IGrain;
#pragma warning restore CA1040
