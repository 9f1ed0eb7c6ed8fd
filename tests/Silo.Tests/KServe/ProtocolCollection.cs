namespace Atelier.Silo.Tests.KServe;

/// <summary>The protocol tests share one silo (<see cref="ProtocolFixture"/>): ISNet loads once.</summary>
[CollectionDefinition(Name)]
public sealed class ProtocolCollection : ICollectionFixture<ProtocolFixture>
{
    public const string Name = "protocols";
}
