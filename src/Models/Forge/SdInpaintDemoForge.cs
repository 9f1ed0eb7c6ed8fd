using System.Text;
using System.Text.Json;
using Atelier.Models.Diffusion;
using Atelier.Models.Forge.Writer;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Forge;

/// <summary>
/// <c>sd-inpaint-demo</c>: the diffusers/optimum Stable Diffusion inpainting export's interface (names, ranks, types:
/// <c>input_ids</c> int32 → <c>last_hidden_state</c>/<c>pooler_output</c>; UNet <c>sample [b,9,h,w]</c>, <c>timestep</c>
/// int64 [steps], <c>encoder_hidden_states [b,77,D]</c> → <c>out_sample [b,4,h,w]</c>; VAE <c>sample</c> ↔
/// <c>latent_sample</c>, 8× down/up) with a tiny, transparent behaviour, so the pipeline is checkable end to end:
/// <list type="bullet">
/// <item>the tokenizer: CLIP's 512 byte-level base tokens, merges that build a few dozen words, and the special tokens at
/// CLIP's ids 49406/49407;</item>
/// <item>the text encoder embeds each token in <see cref="Width"/> dimensions: colour words carry their RGB colour in
/// [−1, 1] and a colour flag, other words a small colour-free code;</item>
/// <item>the VAE encoder averages 8×8 blocks (RGB, plus a zero fourth channel) and divides by the latent scale, the decoder
/// undoes the scale and upsamples 8× bilinearly;</item>
/// <item>the UNet is an exact denoiser towards a target: inside the mask channel the target x₀ is the mean colour of the
/// prompt's colour words (0, grey, without any), outside it the masked-image latents; it returns
/// <c>ε = (x − √ᾱ_t·x₀)/√(1 − ᾱ_t)</c> with ᾱ from the demo's scheduler config. So "a red object" fills red, "a blue
/// object" blue, and guidance scales the colour like real guidance scales a concept.</item>
/// </list>
/// </summary>
internal static class SdInpaintDemoForge
{
    /// <summary>Width of the demo's text embedding (SD2's is 1024).</summary>
    public const int Width = 8;

    /// <summary>Model resolution.</summary>
    public const int Size = 512;

    /// <summary>The VAE's scaling factor of SD 1.x/2.x.</summary>
    public const double LatentScale = 0.18215;

    private const int VocabularySize = 49408;

    /// <summary>Colour words and their RGB in [−1, 1].</summary>
    internal static readonly (string Word, float R, float G, float B)[] Colours =
    [
        ("red", 1f, -1f, -1f),
        ("green", -1f, 1f, -1f),
        ("blue", -1f, -1f, 1f),
        ("yellow", 1f, 1f, -1f),
        ("white", 1f, 1f, 1f),
        ("black", -1f, -1f, -1f),
        ("orange", 1f, 0f, -1f),
        ("purple", 0f, -1f, 0.5f),
    ];

    /// <summary>Other whole words the demo vocabulary knows (anything else is spelled in smaller pieces).</summary>
    internal static readonly string[] Words =
    [
        "a", "an", "the", "of", "and", "with", "in", "on", "object", "vase", "car", "cat", "dog", "flower", "photo",
        "bright", "dark", "futuristic", "blurry", "low", "quality",
    ];

    /// <summary>DDIM with SD2-inpainting's noise schedule.</summary>
    public const string SchedulerConfigJson = """
        {
          "_class_name": "DDIMScheduler",
          "_diffusers_version": "0.8.0",
          "beta_end": 0.012,
          "beta_schedule": "scaled_linear",
          "beta_start": 0.00085,
          "clip_sample": false,
          "num_train_timesteps": 1000,
          "prediction_type": "epsilon",
          "set_alpha_to_one": false,
          "steps_offset": 1,
          "timestep_spacing": "leading",
          "trained_betas": null
        }
        """;

    /// <summary>The tokenizer files: <c>vocab.json</c> (token → id) and <c>merges.txt</c>, built from <see cref="Words"/> and <see cref="Colours"/>.</summary>
    public static (byte[] Vocab, byte[] Merges) BuildTokenizer()
    {
        var vocabulary = Vocabulary(out var merges);
        var vocab = JsonSerializer.SerializeToUtf8Bytes(vocabulary.OrderBy(static p => p.Value).ToDictionary(static p => p.Key, static p => p.Value));
        var text = new StringBuilder("#version: 0.2\n");
        foreach (var merge in merges)
        {
            text.Append(merge).Append('\n');
        }

        return (vocab, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>
    /// CLIP's layout: ids 0–255 the byte-level characters, 256–511 the same with <c>&lt;/w&gt;</c>, then one token per
    /// merge, and <c>&lt;|startoftext|&gt;</c> = 49406, <c>&lt;|endoftext|&gt;</c> = 49407.
    /// </summary>
    internal static Dictionary<string, int> Vocabulary(out List<string> merges)
    {
        var byteChars = ByteLevelCharacters();
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in byteChars)
        {
            vocabulary[c.ToString()] = vocabulary.Count;
        }

        foreach (var c in byteChars)
        {
            vocabulary[c + "</w>"] = vocabulary.Count;
        }

        merges = [];
        var ranks = new Dictionary<(string, string), int>();
        foreach (var word in Colours.Select(static c => c.Word).Concat(Words))
        {
            // BPE as the tokenizer will run it: apply the best-ranked known merge while one applies, else add a merge
            // of the first two pieces. Every later merge ranks lower, so the tokenizer retraces exactly these steps.
            var pieces = word.Select(static c => c.ToString()).ToList();
            pieces[^1] += "</w>";
            while (pieces.Count > 1)
            {
                var best = -1;
                var bestRank = int.MaxValue;
                for (var i = 0; i < pieces.Count - 1; i++)
                {
                    if (ranks.TryGetValue((pieces[i], pieces[i + 1]), out var rank) && rank < bestRank)
                    {
                        (best, bestRank) = (i, rank);
                    }
                }

                if (best < 0)
                {
                    best = 0;
                    ranks[(pieces[0], pieces[1])] = merges.Count;
                    merges.Add(pieces[0] + " " + pieces[1]);
                    vocabulary.TryAdd(pieces[0] + pieces[1], vocabulary.Count);
                }

                pieces[best] += pieces[best + 1];
                pieces.RemoveAt(best + 1);
            }
        }

        vocabulary[ClipTokenizer.StartToken] = 49406;
        vocabulary[ClipTokenizer.EndToken] = 49407;
        return vocabulary;
    }

    /// <summary>Text encoder: <c>input_ids</c> int32 [batch, sequence] → <c>last_hidden_state</c> [batch, sequence, D], <c>pooler_output</c> [batch, D].</summary>
    public static byte[] BuildTextEncoder()
    {
        var vocabulary = Vocabulary(out _);
        var table = new float[VocabularySize * Width];
        foreach (var (word, r, g, b) in Colours)
        {
            var row = vocabulary[word + "</w>"] * Width;
            table[row] = r;
            table[row + 1] = g;
            table[row + 2] = b;
            table[row + 4] = 1f; // colour flag
        }

        foreach (var id in vocabulary.Values)
        {
            if (table[(id * Width) + 4] == 0f)
            {
                // A colour-free code per token: distinct embeddings that the demo UNet ignores.
                var hash = (uint)id * 2654435761u;
                table[(id * Width) + 5] = ((hash & 0xFF) / 255f) - 0.5f;
                table[(id * Width) + 6] = (((hash >> 8) & 0xFF) / 255f) - 0.5f;
                table[(id * Width) + 7] = (((hash >> 16) & 0xFF) / 255f) - 0.5f;
            }
        }

        var w = new GraphWriter("sd_demo_text_encoder");
        w.Builder.Input("input_ids", TensorElementType.Int32, "batch", "sequence");
        var ids = w.Op("Cast", ["input_ids"], x => x.Int("to", (long)TensorElementType.Int64));
        w.Op("Gather", [w.Const(table, VocabularySize, Width), ids], x => x.Int("axis", 0), output: "last_hidden_state");
        w.Op("ReduceMean", ["last_hidden_state"], x => x.Ints("axes", 1).Int("keepdims", 0), output: "pooler_output");
        w.Builder.Output("last_hidden_state", TensorElementType.Float, "batch", "sequence", Width);
        w.Builder.Output("pooler_output", TensorElementType.Float, "batch", Width);
        return w.Builder.ToBytes();
    }

    /// <summary>VAE encoder: <c>sample</c> [batch, 3, H, W] in [−1, 1] → <c>latent_sample</c> [batch, 4, H/8, W/8].</summary>
    public static byte[] BuildVaeEncoder()
    {
        var w = new GraphWriter("sd_demo_vae_encoder");
        var sample = w.Input("sample", "batch", 3, "height", "width");
        var mean = w.AvgPoolDown(sample, 8);
        var zero = w.Mul(w.Slice(mean, 1, 0, 1), w.Scalar(0f));
        w.Op("Mul", [w.Concat(1, mean, zero), w.Scalar((float)(1 / LatentScale))], output: "latent_sample");
        w.Builder.Output("latent_sample", TensorElementType.Float, "batch", 4, "height_latent", "width_latent");
        return w.Builder.ToBytes();
    }

    /// <summary>VAE decoder: <c>latent_sample</c> [batch, 4, h, w] → <c>sample</c> [batch, 3, 8h, 8w] in [−1, 1].</summary>
    public static byte[] BuildVaeDecoder()
    {
        var w = new GraphWriter("sd_demo_vae_decoder");
        var latent = w.Input("latent_sample", "batch", 4, "height_latent", "width_latent");
        var rgb = w.Mul(w.Slice(latent, 1, 0, 3), w.Scalar((float)LatentScale));
        w.Op("Clip", [w.Upsample(rgb, 8f, "linear"), w.Scalar(-1f), w.Scalar(1f)], output: "sample");
        w.Builder.Output("sample", TensorElementType.Float, "batch", 3, "height", "width");
        return w.Builder.ToBytes();
    }

    /// <summary>
    /// UNet: <c>sample</c> [batch, 9, h, w] (latents, mask, masked-image latents), <c>timestep</c> int64 [steps],
    /// <c>encoder_hidden_states</c> [batch, sequence, D] → <c>out_sample</c> [batch, 4, h, w], the noise that takes the
    /// latents to the prompt's colour inside the mask (see the class summary).
    /// </summary>
    public static byte[] BuildUnet()
    {
        var config = SchedulerConfig.Parse(Encoding.UTF8.GetBytes(SchedulerConfigJson));
        var alphas = Array.ConvertAll(config.AlphasCumprod(), static a => (float)a);

        var w = new GraphWriter("sd_demo_unet");
        var sample = w.Input("sample", "batch", 9, "height", "width");
        w.Builder.Input("timestep", TensorElementType.Int64, "steps");
        var hidden = w.Input("encoder_hidden_states", "batch", "sequence", Width);

        var x = w.Slice(sample, 1, 0, 4);
        var mask = w.Slice(sample, 1, 4, 5);
        var known = w.Slice(sample, 1, 5, 9);

        var t = w.Op("Min", [w.Op("Max", ["timestep", w.Longs(0)]), w.Longs(alphas.Length - 1)]);
        var alphaBar = w.Op("Reshape", [w.Op("Gather", [w.Const(alphas, alphas.Length), t], a => a.Int("axis", 0)), w.Longs(-1, 1, 1, 1)]);
        var a = w.Op("Sqrt", [alphaBar]);
        var b = w.Op("Sqrt", [w.Sub(w.Scalar(1f), alphaBar)]);

        var colourPart = w.Slice(hidden, 2, 0, 4);
        var flag = w.Slice(hidden, 2, 4, 5);
        var sum = w.ReduceSum(w.Mul(colourPart, flag), 1);
        var count = w.Max(w.ReduceSum(flag, 1), w.Scalar(1e-6f));
        var colour = w.Reshape(w.Div(sum, count), -1, 4, 1, 1);

        var target = w.Add(w.Mul(mask, colour), w.Mul(w.Sub(w.Scalar(1f), mask), known));
        w.Op("Div", [w.Sub(x, w.Mul(a, target)), b], output: "out_sample");
        w.Builder.Output("out_sample", TensorElementType.Float, "batch", 4, "height", "width");
        return w.Builder.ToBytes();
    }

    /// <summary>GPT-2/CLIP's byte → printable character table, in byte order.</summary>
    private static char[] ByteLevelCharacters()
    {
        var chars = new char[256];
        var extra = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            chars[b] = printable ? (char)b : (char)(256 + extra++);
        }

        // CLIP orders its first 256 tokens as the printable bytes first, then the remapped ones.
        return [.. chars.Where(static c => c < 256), .. chars.Where(static c => c >= 256)];
    }
}
