using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Models.Forge;
using Atelier.Models.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Tests;

/// <summary>
/// The generated demo models load and run in onnxruntime-node (the reference client installed by setup)
/// and give the same outputs as the ONNX Runtime package: an independent check of the model writer.
/// </summary>
[Collection(DemoModelsCollection.Name)]
public sealed class NodeRuntimeTests(DemoModelsFixture models) : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "atelier-node-" + Guid.NewGuid().ToString("N"));
    private readonly List<object> _runs = [];
    private readonly List<(string Prefix, string Output, float[] Expected, long[] Shape, float Tolerance)> _checks = [];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Demo_models_run_in_onnxruntime_node_with_the_same_outputs()
    {
        Directory.CreateDirectory(_work);

        // sam-demo and sam-isnet decoders on a disk scene embedding; sam-demo encoder on the same image.
        using var image = Scenes.Fill(320, 240, (40, 90, 160));
        Scenes.Disk(image, 150, 110, 60, (220, 180, 60));
        var transform = new SamTransform(image.Width, image.Height);
        var encoderInput = new float[transform.ChwLength];
        transform.Preprocess(image, encoderInput);
        var samDemo = Path.Combine(models.ForgeFolder, DemoModelForge.SamDemoId);
        var embedding = Compare(Path.Combine(samDemo, "encoder.onnx"), [("x", encoderInput, [1, 3, 1024, 1024])], ["image_embeddings"], 1e-5f)[0];
        float[] coords = [150 * 3.2f, 110 * 3.2f, 0, 0], labels = [1, -1];
        (string, float[], long[])[] decoderInputs =
        [
            ("image_embeddings", embedding, [1, 256, 64, 64]), ("point_coords", coords, [1, 2, 2]), ("point_labels", labels, [1, 2]),
            ("mask_input", new float[256 * 256], [1, 1, 256, 256]), ("has_mask_input", [0f], [1]), ("orig_im_size", [240f, 320f], [2]),
        ];
        Compare(Path.Combine(samDemo, "decoder.onnx"), decoderInputs, ["low_res_masks", "iou_predictions", "masks"], 1e-3f);
        var samIsnet = Path.Combine(models.ForgeFolder, DemoModelForge.SamIsnetId);
        Compare(Path.Combine(samIsnet, "decoder.onnx"), decoderInputs, ["low_res_masks", "iou_predictions", "masks"], 1e-3f);

        // sam-isnet encoder (the composed quint8 ISNet graph) on the same image.
        Compare(Path.Combine(samIsnet, "encoder.onnx"), [("x", encoderInput, [1, 3, 1024, 1024])], ["image_embeddings"], 1e-4f);

        // lama-demo on a gradient with a hole.
        using var gradient = Scenes.Gradient(512, 512);
        var lamaImage = new float[3 * 512 * 512];
        var lamaMask = new float[512 * 512];
        for (var i = 0; i < 512 * 512; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                lamaImage[(c * 512 * 512) + i] = gradient.Pixels[(i * 3) + c] / 255f;
            }

            int x = i % 512, y = i / 512;
            lamaMask[i] = x is >= 200 and < 300 && y is >= 150 and < 260 ? 1f : 0f;
        }

        Compare(Path.Combine(models.ForgeFolder, DemoModelForge.LamaDemoId, "model.onnx"), [("image", lamaImage, [1, 3, 512, 512]), ("mask", lamaMask, [1, 1, 512, 512])], ["output"], 1e-2f);

        await RunNodeAsync();
        foreach (var (prefix, output, expected, shape, tolerance) in _checks)
        {
            var shapes = JsonSerializer.Deserialize<Dictionary<string, long[]>>(await File.ReadAllTextAsync(prefix + "shapes.json"))!;
            Assert.Equal(shape, shapes[output]);
            var actual = MemoryMarshal.Cast<byte, float>(await File.ReadAllBytesAsync(prefix + output + ".bin")).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            var worst = 0f;
            for (var i = 0; i < expected.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
            }

            Assert.True(worst <= tolerance, $"{prefix}{output}: largest difference {worst} > {tolerance}");
        }
    }

    /// <summary>Runs the model here, records the outputs to compare with node's, and queues the node run.</summary>
    private List<float[]> Compare(string model, (string Name, float[] Data, long[] Dims)[] inputs, string[] outputs, float tolerance)
    {
        var prefix = Path.Combine(_work, $"run{_runs.Count}-");
        var specInputs = new List<object>();
        var values = new List<OrtValue>();
        foreach (var (name, data, dims) in inputs)
        {
            var file = prefix + name + ".in";
            File.WriteAllBytes(file, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
            specInputs.Add(new { name, dims, file });
            values.Add(OrtValue.CreateTensorValueFromMemory(data, dims));
        }

        using var session = new InferenceSession(model);
        using var runOptions = new RunOptions();
        var names = new string[inputs.Length];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = inputs[i].Name;
        }

        using var results = session.Run(runOptions, names, values, outputs);
        var copies = new List<float[]>();
        for (var i = 0; i < outputs.Length; i++)
        {
            var data = results[i].GetTensorDataAsSpan<float>().ToArray();
            copies.Add(data);
            _checks.Add((prefix, outputs[i], data, results[i].GetTensorTypeAndShape().Shape, tolerance));
        }

        foreach (var value in values)
        {
            value.Dispose();
        }

        _runs.Add(new { model, inputs = specInputs, outputs, @out = prefix });
        return copies;
    }

    private async Task RunNodeAsync()
    {
        var spec = Path.Combine(_work, "spec.json");
        await File.WriteAllTextAsync(spec, JsonSerializer.Serialize(new { runs = _runs }));
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "node", "run-models.js"));
        start.ArgumentList.Add(spec);
        start.Environment["NODE_PATH"] = TestCache.NodeModules;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node failed ({process.ExitCode}): {await stderr}{await stdout}");
    }
}
