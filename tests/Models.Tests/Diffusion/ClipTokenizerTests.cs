using Atelier.Models.Diffusion;
using Atelier.Models.Forge;

namespace Atelier.Models.Tests.Diffusion;

/// <summary>
/// The CLIP tokenizer on the demo vocabulary, against ids worked out by hand from CLIP's layout: ids 0–255 are the
/// byte-level characters with the printable bytes first ('!' = 0 … '~' = 93, 0xA1 = 94 …, 0xAE = 106 …), 256–511 the
/// same with <c>&lt;/w&gt;</c>, then one id per merge in merges.txt order (red: "r e" = 512, "re d&lt;/w&gt;" = 513;
/// green reuses "r e": "g re" = 514, "gre e" = 515, "gree n&lt;/w&gt;" = 516; blue: "b l" = 517, "bl u" = 518,
/// "blu e&lt;/w&gt;" = 519), start 49406, end 49407.
/// </summary>
public sealed class ClipTokenizerTests : IDisposable
{
    private const int Start = 49406;
    private const int End = 49407;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "atelier-clip-" + Guid.NewGuid().ToString("N"));
    private readonly ClipTokenizer _tokenizer;

    public ClipTokenizerTests()
    {
        Directory.CreateDirectory(_folder);
        var (vocab, merges) = SdInpaintDemoForge.BuildTokenizer();
        File.WriteAllBytes(Path.Combine(_folder, "vocab.json"), vocab);
        File.WriteAllBytes(Path.Combine(_folder, "merges.txt"), merges);
        _tokenizer = ClipTokenizer.Load(Path.Combine(_folder, "vocab.json"), Path.Combine(_folder, "merges.txt"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static int Char(char c) => c - '!';

    private static int CharEnd(char c) => 256 + Char(c);

    [Fact]
    public void Merged_words_punctuation_case_and_whitespace_follow_clip()
    {
        var ids = _tokenizer.Encode("  A \t RED,\n  Blue! ");

        // "a red, blue!": a</w>, red</w>, ,</w>, blue</w>, !</w>
        Assert.Equal([Start, CharEnd('a'), 513, CharEnd(','), 519, CharEnd('!'), End], ids[..7]);
        Assert.Equal(320, CharEnd('a')); // CLIP's own id of "a</w>"
    }

    [Fact]
    public void A_word_sharing_an_earlier_merge_still_becomes_one_token()
    {
        Assert.Equal([Start, 516, End], _tokenizer.Encode("Green")[..3]);
    }

    [Fact]
    public void Unknown_words_fall_back_to_characters_with_end_of_word_on_the_last()
    {
        Assert.Equal([Start, Char('z'), Char('q'), CharEnd('x'), End], _tokenizer.Encode("zqx")[..5]);
    }

    [Fact]
    public void Contractions_and_digits_are_split_like_clip()
    {
        // "zz's 12" → zz | 's | 1 | 2
        Assert.Equal(
            [Start, Char('z'), CharEnd('z'), Char('\''), CharEnd('s'), CharEnd('1'), CharEnd('2'), End],
            _tokenizer.Encode("zz's 12")[..8]);
    }

    [Fact]
    public void Non_ascii_text_is_encoded_as_utf8_bytes()
    {
        // é = C3 A9: 0xC3 → 106 + (0xC3 − 0xAE) = 127; 0xA9 → 94 + 8 = 102, with </w>: 358.
        Assert.Equal([Start, 127, 358, End], _tokenizer.Encode("é")[..4]);
    }

    [Fact]
    public void Html_entities_are_decoded()
    {
        Assert.Equal([Start, CharEnd('&'), End], _tokenizer.Encode("&amp;")[..3]);
    }

    [Fact]
    public void Sequences_are_padded_to_77_with_the_pad_token()
    {
        var ids = _tokenizer.Encode("red");

        Assert.Equal(77, ids.Length);
        Assert.Equal([Start, 513, End], ids[..3]);
        Assert.All(ids[3..], id => Assert.Equal(End, id));

        var sd2 = ClipTokenizer.Load(Path.Combine(_folder, "vocab.json"), Path.Combine(_folder, "merges.txt"), padToken: "!");
        Assert.All(sd2.Encode("red")[3..], id => Assert.Equal(0, id));
    }

    [Fact]
    public void Long_prompts_are_cut_to_75_tokens_between_start_and_end()
    {
        var ids = _tokenizer.Encode(string.Join(' ', Enumerable.Repeat("red", 100)));

        Assert.Equal(77, ids.Length);
        Assert.Equal(Start, ids[0]);
        Assert.All(ids[1..76], id => Assert.Equal(513, id));
        Assert.Equal(End, ids[76]);
    }

    [Fact]
    public void A_vocabulary_without_the_special_tokens_is_refused()
    {
        var vocab = Path.Combine(_folder, "bad.json");
        File.WriteAllText(vocab, """{"a": 0, "a</w>": 1}""");

        var error = Assert.Throws<FormatException>(() => ClipTokenizer.Load(vocab, Path.Combine(_folder, "merges.txt")));

        Assert.Contains("<|startoftext|>", error.Message, StringComparison.Ordinal);
    }
}
