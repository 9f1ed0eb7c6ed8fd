namespace Atelier.Bench;

/// <summary>
/// One benchmark scenario. Implementations are discovered by reflection, so adding a scenario
/// means adding one file. A scenario measures its candidates side by side in one run and
/// writes a markdown table to <see cref="BenchContext.Output"/>.
/// </summary>
internal interface IBenchmark
{
    /// <summary>Short name used on the command line: <c>./build.sh bench onnx</c>.</summary>
    string Name { get; }

    /// <summary>One line saying what is measured.</summary>
    string Description { get; }

    Task RunAsync(BenchContext context, CancellationToken cancellationToken);
}
