using Atelier.Bench.Infrastructure;

namespace Atelier.Bench.Tests;

public sealed class MarkdownTableTests
{
    [Fact]
    public async Task WriteHeaderAsync_right_aligns_every_column_but_the_first()
    {
        using var output = new StringWriter { NewLine = "\n" };

        await MarkdownTable.WriteHeaderAsync(output, "call", "p50 ms", "p99 ms");

        Assert.Equal("| call | p50 ms | p99 ms |\n| --- | ---: | ---: |\n", output.ToString());
    }
}
