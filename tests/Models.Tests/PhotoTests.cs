using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Tests.Support;
using Xunit.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Tests;

/// <summary>
/// A real photo (Assets/dog.jpg, 800×534: a bulldog bottom-left, a person holding a bowl on the right)
/// through the real ISNet model and through <c>sam-isnet</c>. Encoder runs are shared across tests.
/// </summary>
[Collection(DemoModelsCollection.Name)]
public sealed class PhotoTests(DemoModelsFixture models, ITestOutputHelper output)
{
    // Inside the dog's body and head (checked against the photo), and a background corner (a machine, the wall).
    private static readonly (int X, int Y, int W, int H) DogCore = (40, 380, 240, 140);
    private static readonly (int X, int Y, int W, int H) BackgroundCorner = (0, 0, 150, 150);
    private static readonly SamPoint DogClick = new(200, 430, true);
    private static readonly SamPoint BackgroundClick = new(150, 200, true);

    [Fact]
    public async Task Isnet_subject_mask_covers_the_dog_and_not_the_background()
    {
        var (_, subject) = await SubjectAsync();

        using var core = Region(subject.Width, subject.Height, DogCore);
        using var corner = Region(subject.Width, subject.Height, BackgroundCorner);
        output.WriteLine($"coverage {Scenes.Coverage(subject, core):F3}");
        Assert.True(Scenes.Coverage(subject, core) >= 0.95, $"dog core covered {Scenes.Coverage(subject, core):P1}");
        output.WriteLine($"coverage {Scenes.Coverage(subject, corner):F3}");
        Assert.True(Scenes.Coverage(subject, corner) <= 0.05, $"background corner covered {Scenes.Coverage(subject, corner):P1}");
    }

    [Fact]
    public async Task Sam_isnet_click_on_the_dog_selects_the_dog()
    {
        var (_, subject) = await SubjectAsync();
        var (sam, embedding) = await EmbeddingAsync();
        using var dog = Scenes.Component(subject, (int)DogClick.X, (int)DogClick.Y);

        var masks = sam.Decode(embedding, SamPrompt.FromPoints(DogClick));

        using var best = Assert.Single(masks);
        output.WriteLine($"IoU {Scenes.IoU(best.Mask, dog):F3}");
        Assert.True(Scenes.IoU(best.Mask, dog) >= 0.8, $"IoU {Scenes.IoU(best.Mask, dog):F3}");
    }

    [Fact]
    public async Task Sam_isnet_click_on_the_background_does_not_select_the_dog()
    {
        var (_, subject) = await SubjectAsync();
        var (sam, embedding) = await EmbeddingAsync();
        using var dog = Scenes.Component(subject, (int)DogClick.X, (int)DogClick.Y);
        Assert.False(subject[(int)BackgroundClick.X, (int)BackgroundClick.Y]);

        var masks = sam.Decode(embedding, SamPrompt.FromPoints(BackgroundClick));

        using var best = Assert.Single(masks);
        Assert.True(best.Mask[(int)BackgroundClick.X, (int)BackgroundClick.Y], "the clicked background pixel should be selected");
        output.WriteLine($"coverage {Scenes.Coverage(best.Mask, dog):F3}");
        Assert.True(Scenes.Coverage(best.Mask, dog) <= 0.02, $"dog covered {Scenes.Coverage(best.Mask, dog):P1}");
    }

    [Fact]
    public async Task Sam_isnet_embedding_unpacks_to_exactly_the_isnet_saliency_of_the_same_input()
    {
        var (_, embedding) = await EmbeddingAsync();
        using var image = LoadDog();
        var transform = new SamTransform(image.Width, image.Height);
        var samInput = new float[transform.ChwLength];
        transform.Preprocess(image, samInput);

        // ISNet's convention from SAM's normalized input, computed the way the prologue does: x·a, then + b.
        const int plane = 1024 * 1024;
        float[] mean = [123.675f, 116.28f, 103.53f], std = [58.395f, 57.12f, 57.375f];
        var isnetInput = new float[3 * plane];
        for (var c = 0; c < 3; c++)
        {
            float a = std[c] / 256f, b = (mean[c] - 128f) / 256f;
            for (var i = 0; i < plane; i++)
            {
                var scaled = samInput[(c * plane) + i] * a;
                isnetInput[(c * plane) + i] = scaled + b;
            }
        }

        using var session = new InferenceSession(TestCache.IsnetModelPath);
        using var input = OrtValue.CreateTensorValueFromMemory(isnetInput, [1, 3, 1024, 1024]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [input], ["output"]);
        var saliency = outputs[0];

        // SpaceToDepth(16): channel (dy·16 + dx) of cell (y, x) holds pixel (16y + dy, 16x + dx).
        var packed = embedding.Value.GetTensorDataAsSpan<float>();
        var expected = saliency.GetTensorDataAsSpan<float>();
        var mismatches = 0;
        for (var channel = 0; channel < 256; channel++)
        {
            int dy = channel / 16, dx = channel % 16;
            for (var y = 0; y < 64; y++)
            {
                for (var x = 0; x < 64; x++)
                {
                    var value = packed[(channel * 4096) + (y * 64) + x];
                    mismatches += value == expected[((16 * y) + dy) * 1024 + (16 * x) + dx] ? 0 : 1;
                }
            }
        }

        Assert.Equal(0, mismatches);
    }

    private static RgbImage LoadDog() => ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Assets", "dog.jpg")));

    private static Mask Region(int width, int height, (int X, int Y, int W, int H) rect)
    {
        var mask = new Mask(width, height);
        for (var y = rect.Y; y < rect.Y + rect.H; y++)
        {
            mask.Row(y).Slice(rect.X, rect.W).Fill(Mask.On);
        }

        return mask;
    }

    private Task<(IsnetModel Model, Mask Subject)> SubjectAsync() =>
        ShareTupleAsync("isnet-dog", async () =>
        {
            var isnet = await models.GetAsync<IsnetModel>("isnet");
            using var image = LoadDog();
            return new Holder<(IsnetModel, Mask)>((isnet, isnet.Segment(image)), h => h.Item2.Dispose());
        });

    private Task<(SamModel Model, SamEmbedding Embedding)> EmbeddingAsync() =>
        ShareTupleAsync("sam-isnet-dog", async () =>
        {
            var sam = await models.GetAsync<SamModel>(DemoModelForge.SamIsnetId);
            using var image = LoadDog();
            return new Holder<(SamModel, SamEmbedding)>((sam, sam.Encode(image)), h => h.Item2.Dispose());
        });

    private async Task<T> ShareTupleAsync<T>(string key, Func<Task<Holder<T>>> compute) => (await models.ShareAsync(key, compute)).Value;

    private sealed class Holder<T>(T value, Action<T> dispose) : IDisposable
    {
        public T Value { get; } = value;

        public void Dispose() => dispose(Value);
    }
}
