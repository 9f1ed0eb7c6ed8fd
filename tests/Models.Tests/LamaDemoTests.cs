using System.Security.Cryptography;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Manifest;
using Atelier.Models.Tests.Support;

namespace Atelier.Models.Tests;

/// <summary>The <c>lama</c> adapter (dilate, crop, letterbox, run, resize back, composite) on <c>lama-demo</c>.</summary>
[Collection(DemoModelsCollection.Name)]
public sealed class LamaDemoTests(DemoModelsFixture models)
{
    [Fact]
    public async Task Fill_of_a_square_in_a_smooth_gradient_is_close_and_leaves_other_pixels_untouched()
    {
        var lama = await models.GetAsync<LamaModel>(DemoModelForge.LamaDemoId);
        using var image = Scenes.Gradient(480, 360);
        using var mask = new Mask(480, 360);
        using var damaged = Scenes.Gradient(480, 360);
        for (var y = 150; y < 210; y++)
        {
            mask.Row(y).Slice(200, 60).Fill(Mask.On);
            damaged.Row(y).Slice(200 * 3, 60 * 3).Fill(255); // what is under the mask must not matter
        }

        using var filled = lama.Inpaint(damaged, mask);
        using var changed = MaskOps.Dilate(mask, 15);

        long error = 0, count = 0;
        for (var y = 0; y < 360; y++)
        {
            var expected = image.Row(y);
            var actual = filled.Row(y);
            var source = damaged.Row(y);
            for (var x = 0; x < 480; x++)
            {
                if (changed[x, y])
                {
                    for (var c = 0; c < 3; c++)
                    {
                        error += Math.Abs(actual[(x * 3) + c] - expected[(x * 3) + c]);
                        count++;
                    }
                }
                else
                {
                    Assert.True(actual.Slice(x * 3, 3).SequenceEqual(source.Slice(x * 3, 3)), $"pixel ({x}, {y}) outside the dilated mask changed");
                }
            }
        }

        var meanError = (double)error / count;
        Assert.True(meanError <= 4.0, $"mean abs error {meanError:F2}/255");
    }

    [Fact]
    public async Task A_hole_on_the_image_edge_is_filled_from_the_picture_not_from_the_letterbox_padding()
    {
        var lama = await models.GetAsync<LamaModel>(DemoModelForge.LamaDemoId);
        using var image = Scenes.Gradient(480, 240); // wide: the 512 letterbox pads above and below
        using var damaged = Scenes.Gradient(480, 240);
        using var mask = new Mask(480, 240);
        for (var y = 200; y < 240; y++)
        {
            mask.Row(y).Slice(100, 80).Fill(Mask.On);
            damaged.Row(y).Slice(100 * 3, 80 * 3).Fill(0);
        }

        using var filled = lama.Inpaint(damaged, mask);

        long error = 0, count = 0;
        for (var y = 200; y < 240; y++)
        {
            for (var x = 100; x < 180; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    error += Math.Abs(filled.Row(y)[(x * 3) + c] - image.Row(y)[(x * 3) + c]);
                    count++;
                }
            }
        }

        var meanError = (double)error / count;
        Assert.True(meanError <= 8.0, $"mean abs error {meanError:F2}/255 at the bottom edge");
    }

    [Fact]
    public async Task Without_dilation_every_unmasked_pixel_is_bit_identical()
    {
        var entry = await models.Store.GetAsync(DemoModelForge.LamaDemoId, default);
        var loader = new ModelLoader(models.Store, Microsoft.Extensions.Options.Options.Create(new ModelLoaderOptions { Lama = { DilationKernel = 1 } }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelLoader>.Instance);
        using var lama = (LamaModel)await loader.LoadAsync(entry!, default);
        using var image = Scenes.Gradient(300, 500);
        using var mask = new Mask(300, 500);
        for (var y = 400; y < 480; y++)
        {
            mask.Row(y).Slice(20, 50).Fill(Mask.On);
        }

        using var filled = lama.Inpaint(image, mask);

        var changedInside = 0;
        for (var y = 0; y < 500; y++)
        {
            for (var x = 0; x < 300; x++)
            {
                var same = filled.Row(y).Slice(x * 3, 3).SequenceEqual(image.Row(y).Slice(x * 3, 3));
                if (!mask[x, y])
                {
                    Assert.True(same, $"unmasked pixel ({x}, {y}) changed");
                }
                else if (!same)
                {
                    changedInside++;
                }
            }
        }

        Assert.True(changedInside > 0, "the fill should write the masked pixels");
    }

    [Theory]
    [InlineData(LamaOutputRange.Auto, false)]
    [InlineData(LamaOutputRange.Unit, false)]
    [InlineData(LamaOutputRange.Byte, true)]
    public async Task Output_range_is_detected_or_taken_from_the_manifest(LamaOutputRange range, bool expectDark)
    {
        // A model that returns its input image (0..1): auto-detection must read it as 0..1, so the "fill"
        // reproduces the original; declaring it 0..255 makes the masked pixels nearly black.
        var id = await RegisterIdentityAsync("lama-identity-" + range.ToString().ToLowerInvariant(), 256, range);
        using var lama = (LamaModel)await models.Loader.LoadAsync(id, default);
        using var picture = Scenes.Fill(200, 200, (180, 150, 120));
        using var mask = new Mask(200, 200);
        mask.Row(100).Slice(100, 1).Fill(Mask.On);

        using var result = lama.Inpaint(picture, mask);

        var centre = result.Row(100).Slice(300, 3).ToArray();
        if (expectDark)
        {
            Assert.All(centre, v => Assert.True(v <= 1, $"{v}"));
        }
        else
        {
            Assert.Equal(new byte[] { 180, 150, 120 }, centre);
        }
    }

    [Fact]
    public async Task Dynamic_size_model_runs_on_the_context_window()
    {
        var id = await RegisterIdentityAsync("lama-identity-dynamic", size: null, LamaOutputRange.Auto);
        using var lama = (LamaModel)await models.Loader.LoadAsync(id, default);
        using var picture = Scenes.Fill(333, 201, (10, 200, 90));
        using var mask = new Mask(333, 201);
        mask.Row(50).Slice(40, 30).Fill(Mask.On);

        using var result = lama.Inpaint(picture, mask);

        Assert.True(result.Pixels.SequenceEqual(picture.Pixels));
    }

    /// <summary>Registers a LaMa-interface model that returns its input image (0..1) as the fill; null size: dynamic.</summary>
    private async Task<string> RegisterIdentityAsync(string id, int? size, LamaOutputRange range)
    {
        var w = new GraphWriter("identity");
        Atelier.Models.Forge.Writer.OnnxDim side = size is { } s ? s : "size";
        var image = w.Input("image", 1, 3, side, side);
        w.Input("mask", 1, 1, side, side);
        w.Op("Identity", [image], output: "output");
        w.Builder.Output("output", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, 1, 3, side, side);
        var model = w.Builder.ToBytes();
        var folder = Path.Combine(Path.GetTempPath(), "atelier-" + id + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, "model.onnx"), model);
            await File.WriteAllBytesAsync(Path.Combine(folder, ModelManifest.FileName), ModelManifestSerializer.Serialize(new ModelManifest
            {
                Id = id,
                Kind = ModelKind.Lama,
                Version = "test",
                Files = new Dictionary<string, ModelFile> { ["model"] = new("model.onnx", Convert.ToHexStringLower(SHA256.HashData(model))) },
                Lama = new LamaSettings { Size = size, OutputRange = range },
            }));
            await models.Store.RegisterFolderAsync(folder, default);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return id;
    }

    [Fact]
    public async Task Empty_mask_returns_an_identical_copy()
    {
        var lama = await models.GetAsync<LamaModel>(DemoModelForge.LamaDemoId);
        using var image = Scenes.Gradient(64, 48);
        using var mask = new Mask(64, 48);

        using var result = lama.Inpaint(image, mask);

        Assert.True(result.Pixels.SequenceEqual(image.Pixels));
    }
}
