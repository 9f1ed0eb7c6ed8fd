namespace Atelier.Onnx.Tests;

// The real ISNet salient-object models from the setup cache, checked against onnxruntime-node.
// One Atelier run and one Node run per model (each takes about a second or two on two cores).
public sealed class IsNetTests
{
    private const int Side = 1024;
    private const int Threads = 2;

    [Theory]
    [InlineData("isnet-small.onnx")]
    [InlineData("isnet-medium.onnx")]
    public async Task IsNet_reports_its_io_and_matches_onnxruntime_node(string fileName)
    {
        _ = TestRuntime.Environment;
        var modelPath = TestRuntime.Asset(fileName);
        var before = OnnxRuntimeEnvironment.LiveHandleCount;
        var input = DeterministicImage();
        float[] ours;
        using (var session = InferenceSession.Load(modelPath, new InferenceSessionOptions { IntraOpThreads = Threads, InterOpThreads = 1 }))
        {
            var inputMeta = Assert.Single(session.Inputs, i => i.Name == "input");
            Assert.Equal(TensorElementType.Float, inputMeta.ElementType);
            Assert.Equal([1L, 3L, Side, Side], inputMeta.Shape);
            var outputMeta = Assert.Single(session.Outputs, o => o.Name == "output");
            Assert.Equal([1L, 1L, Side, Side], outputMeta.Shape);
            Assert.InRange(session.InitializerBytes, 10L << 20, new FileInfo(modelPath).Length);

            using var x = OrtValue.CreateTensor(input, [1, 3, Side, Side]);
            using var y = session.Run(["input"], [x], ["output"])[0];
            Assert.Equal([1L, 1L, Side, Side], y.Shape.ToArray());
            Assert.Equal(Side * Side * sizeof(float), y.ByteCount);
            ours = y.GetTensorSpan<float>().ToArray();
        }

        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
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
