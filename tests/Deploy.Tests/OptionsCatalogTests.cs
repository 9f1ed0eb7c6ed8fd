namespace Atelier.Deploy.Tests;

/// <summary>The catalog itself: real options bind, invented ones are named.</summary>
public sealed class OptionsCatalogTests
{
    [Theory]
    [InlineData("ATELIER__Silo__Name")]
    [InlineData("ATELIER__silo__mode")]
    [InlineData("ATELIER__Cluster__AdvertisedHost")]
    [InlineData("ATELIER__Cluster__ProbeTimeout")]
    [InlineData("ATELIER__Sessions__Cache__EmbeddingPrecision")]
    [InlineData("ATELIER__Sessions__DefaultTtl")]
    [InlineData("ATELIER__Models__Host__Pinned__0")]
    [InlineData("ATELIER__Security__ApiKeys__0__Tenant")]
    [InlineData("ATELIER__Onnx__IntraOpThreads")]
    [InlineData("ATELIER__Urls")]
    public void Real_option_binds(string variable) => Assert.Null(OptionsCatalog.Explain(variable));

    [Theory]
    [InlineData("ATELIER__Silo__GpuCount", "no property 'GpuCount'")]
    [InlineData("ATELIER__Cluster__Redis__Host", "no property 'Host'")]
    [InlineData("ATELIER__Drain__Timeout", "no options section")]
    [InlineData("ATELIER__Models__Host__Pinned__first", "list index")]
    [InlineData("ATELIER__Security__ApiKeys__0", "an object")]
    public void Invented_option_is_named(string variable, string why)
    {
        var explanation = OptionsCatalog.Explain(variable);
        Assert.NotNull(explanation);
        Assert.Contains(why, explanation);
    }
}
