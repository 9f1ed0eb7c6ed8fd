namespace Atelier.Bench.Infrastructure;

/// <summary>The Markdown tables the benchmarks print: a header with the first column left-aligned and the others (numbers) right-aligned.</summary>
internal static class MarkdownTable
{
    /// <summary>Writes <c>| a | b | c |</c> and the alignment row <c>| --- | ---: | ---: |</c> under it.</summary>
    public static async Task WriteHeaderAsync(TextWriter output, params string[] columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns.Length, 1);
        await output.WriteLineAsync($"| {string.Join(" | ", columns)} |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", columns.Length - 1))).ConfigureAwait(false);
    }
}
