using Atelier.Models.Onnx;
using Atelier.Models.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Tests.Onnx;

/// <summary>
/// The real ISNet models from the setup cache (small: quint8 weights; medium: fp16 weights) run on the package and
/// match onnxruntime-node, the independent client of the engine. One run per side and model (seconds on two cores).
/// </summary>
public sealed class IsNetReferenceTests
{
    private const int Side = 1024;
    private const int Threads = 2;

    [Theory]
    [InlineData("isnet-small.onnx")]
    [InlineData("isnet-medium.onnx")]
    public async Task IsNet_loads_runs_and_matches_onnxruntime_node(string fileName)
    {
        var modelPath = Path.Combine(TestCache.Root, "assets", fileName);
        Assert.True(File.Exists(modelPath), $"{modelPath} is missing: run './build.sh setup' first.");
        var input = DeterministicImage();
        float[] ours;
        using (var session = OnnxSessions.Open(modelPath, new InferenceSessionOptions()).Session)
        {
            var inputMeta = session.InputMetadata["input"];
            Assert.Equal(TensorElementType.Float, inputMeta.ElementDataType);
            Assert.Equal([1, 3, Side, Side], inputMeta.Dimensions);
            Assert.Equal([1, 1, Side, Side], session.OutputMetadata["output"].Dimensions);

            using var x = OrtValue.CreateTensorValueFromMemory(input, [1, 3, Side, Side]);
            using var outputs = OnnxSessions.Run(session, ["input"], [x], ["output"], CancellationToken.None);
            Assert.Equal([1L, 1L, Side, Side], outputs[0].GetTensorTypeAndShape().Shape);
            Assert.Equal(Side * Side * sizeof(float), outputs[0].GetTensorSizeInBytes());
            ours = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        Assert.All(ours, v => Assert.InRange(v, 0f, 1f));
        Assert.True(ours.Max() - ours.Min() > 0.1f, "the mask should not be constant for a structured input");

        var reference = await NodeReference.RunAsync(modelPath, "input", input, [1, 3, Side, Side], "output", Threads);

        Assert.Equal(ours.Length, reference.Length);
        var maxDifference = 0f;
        for (var i = 0; i < ours.Length; i++)
        {
            maxDifference = Math.Max(maxDifference, Math.Abs(ours[i] - reference[i]));
        }

        Assert.True(maxDifference <= 1e-4f, $"max abs difference {maxDifference} exceeds 1e-4");
    }

    /// <summary>A bright disk on a dark gradient, normalized like ISNet's preprocessing (mean 0.5, std 1).</summary>
    private static float[] DeterministicImage()
    {
        var data = new float[3 * Side * Side];
        for (var c = 0; c < 3; c++)
        {
            for (var yy = 0; yy < Side; yy++)
            {
                for (var xx = 0; xx < Side; xx++)
                {
                    var dx = xx - (Side / 2);
                    var dy = yy - (Side / 2);
                    var inside = (dx * dx) + (dy * dy) < (Side / 4) * (Side / 4);
                    var pixel = inside ? 0.9f - (0.1f * c) : 0.1f + (0.2f * xx / Side);
                    data[(c * Side * Side) + (yy * Side) + xx] = pixel - 0.5f;
                }
            }
        }

        return data;
    }
}
