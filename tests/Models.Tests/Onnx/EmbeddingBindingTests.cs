using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Onnx;
using Atelier.Models.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Tests.Onnx;

/// <summary>
/// The SAM encoder's output is bound through OrtIoBinding to the provider's memory (host memory on the CPU, device
/// memory under CUDA) and the decoder reads that OrtValue where it is. The CPU tests run this exact path; the CUDA
/// test runs only where a GPU and the CUDA package are present.
/// </summary>
[Collection(DemoModelsCollection.Name)]
public sealed class EmbeddingBindingTests(DemoModelsFixture models)
{
    private static readonly (byte, byte, byte) Background = (40, 90, 160);
    private static readonly (byte, byte, byte) Yellow = (220, 180, 60);

    [Fact]
    public async Task On_the_cpu_the_bound_embedding_lives_in_host_memory_and_equals_a_plain_encoder_run()
    {
        var sam = await models.GetAsync<SamModel>(DemoModelForge.SamDemoId);
        using var image = DiskScene();

        using var embedding = sam.Encode(image);

        Assert.False(sam.EmbeddingsOnDevice);
        Assert.True(HostTensors.IsOnHost(embedding.Value));
        Assert.Equal([1L, 256, 64, 64], embedding.Value.GetTensorTypeAndShape().Shape);
        Assert.Equal(256L * 64 * 64 * sizeof(float), embedding.ByteCount);
        Assert.Equal(PlainEncoderRun(sam, image), embedding.Value.GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public async Task A_host_copy_of_an_embedding_holds_the_same_values_in_a_new_tensor()
    {
        var sam = await models.GetAsync<SamModel>(DemoModelForge.SamDemoId);
        using var image = DiskScene();
        using var embedding = sam.Encode(image);

        using var copy = HostTensors.CopyToHost(embedding.Value);

        Assert.True(HostTensors.IsOnHost(copy));
        Assert.Equal(embedding.Value.GetTensorTypeAndShape().Shape, copy.GetTensorTypeAndShape().Shape);
        Assert.Equal(embedding.Value.GetTensorDataAsSpan<float>().ToArray(), copy.GetTensorDataAsSpan<float>().ToArray());
        copy.GetTensorMutableDataAsSpan<float>()[0] += 1f;
        Assert.NotEqual(embedding.Value.GetTensorDataAsSpan<float>()[0], copy.GetTensorDataAsSpan<float>()[0]);
    }

    [CudaFact]
    public async Task Under_cuda_the_embedding_stays_on_the_device_across_clicks_and_masks_match_the_cpu()
    {
        var cpu = await models.GetAsync<SamModel>(DemoModelForge.SamDemoId);
        var loader = new ModelLoader(models.Store, Options.Create(new ModelLoaderOptions
        {
            Session = new InferenceSessionOptions { ExecutionProvider = ExecutionProvider.Cuda },
        }), NullLogger<ModelLoader>.Instance);
        using var gpu = (SamModel)await loader.LoadAsync(DemoModelForge.SamDemoId, CancellationToken.None);
        using var image = DiskScene();
        var clicks = new[] { new SamPoint(290, 230, true), new SamPoint(120, 80, true), new SamPoint(300, 220, true) };

        using var onDevice = gpu.Encode(image);
        using var onHost = cpu.Encode(image);

        Assert.Equal(ExecutionProvider.Cuda, gpu.ExecutionProvider);
        Assert.True(gpu.EmbeddingsOnDevice);
        var resident = onDevice.Value;
        foreach (var click in clicks)
        {
            Assert.False(HostTensors.IsOnHost(onDevice.Value), "the embedding must stay in device memory between clicks");
            using var gpuMask = Assert.Single(gpu.Decode(onDevice, SamPrompt.FromPoints(click)));
            using var cpuMask = Assert.Single(cpu.Decode(onHost, SamPrompt.FromPoints(click)));
            Assert.Same(resident, onDevice.Value);
            Assert.True(Differing(gpuMask.Mask, cpuMask.Mask) <= gpuMask.Mask.Data.Length / 1000, $"click {click}: masks differ in {Differing(gpuMask.Mask, cpuMask.Mask)} pixels");
        }

        // Demotion to the host tier copies the device value out through ORT.
        using var demoted = HostTensors.CopyToHost(onDevice.Value);
        Assert.True(HostTensors.IsOnHost(demoted));
        Assert.Equal(onHost.Value.GetTensorTypeAndShape().Shape, demoted.GetTensorTypeAndShape().Shape);
    }

    private static RgbImage DiskScene()
    {
        var image = Scenes.Fill(640, 480, Background);
        Scenes.Disk(image, 300, 220, 110, Yellow);
        return image;
    }

    /// <summary>The encoder of <paramref name="sam"/>'s files run in a session of its own with a plain <c>Run</c> (no binding).</summary>
    private static float[] PlainEncoderRun(SamModel sam, RgbImage image)
    {
        var transform = new SamTransform(image.Width, image.Height);
        var input = new float[transform.ChwLength];
        transform.Preprocess(image, input);
        using var session = OnnxSessions.Open(sam.Entry.PathOf("encoder"), new InferenceSessionOptions()).Session;
        using var x = OrtValue.CreateTensorValueFromMemory(input, [1, 3, transform.TargetLength, transform.TargetLength]);
        using var outputs = OnnxSessions.Run(session, [session.InputNames[0]], [x], ["image_embeddings"], CancellationToken.None);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static int Differing(Mask a, Mask b)
    {
        var count = 0;
        for (var i = 0; i < a.Data.Length; i++)
        {
            count += a.Data[i] != b.Data[i] ? 1 : 0;
        }

        return count;
    }
}
