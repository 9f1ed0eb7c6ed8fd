using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Atelier.Models.Tests.Support;

/// <summary>Runs a model with onnxruntime-node from the setup cache, as an independent reference.</summary>
internal static class NodeReference
{
    public static async Task<float[]> RunAsync(string modelPath, string inputName, float[] input, long[] dims, string outputName, int threads)
    {
        var nodeModules = TestCache.NodeModules;

        var script = Path.Combine(AppContext.BaseDirectory, "node", "run-reference.js");
        var work = Directory.CreateTempSubdirectory("atelier-node-ref-");
        try
        {
            var inputPath = Path.Combine(work.FullName, "input.f32");
            var outputPath = Path.Combine(work.FullName, "output.f32");
            await File.WriteAllBytesAsync(inputPath, MemoryMarshal.AsBytes(input.AsSpan()).ToArray());
            var start = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { script, modelPath, inputPath, inputName, string.Join(',', dims), outputName, outputPath, threads.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["NODE_PATH"] = nodeModules;
            using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"node reference failed ({process.ExitCode}): {await stderr} {await stdout}");
            var bytes = await File.ReadAllBytesAsync(outputPath);
            return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
