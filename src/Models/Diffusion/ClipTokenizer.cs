using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Atelier.Models.Diffusion;

/// <summary>
/// CLIP's text tokenizer (the <c>tokenizer/</c> folder of a Stable Diffusion export: <c>vocab.json</c>, <c>merges.txt</c>).
/// The byte-level BPE itself — UTF-8 bytes mapped to printable characters, <c>&lt;/w&gt;</c> appended to the last
/// sub-word of every word, merges by rank — is <see cref="BpeTokenizer"/> of Microsoft.ML.Tokenizers, with CLIP's
/// pre-tokenisation pattern as its <see cref="RegexPreTokenizer"/>. What CLIP adds and the library does not is written
/// here: the text clean-up (HTML entities decoded, runs of whitespace collapsed to one space, trimmed, lower-cased),
/// <c>&lt;|startoftext|&gt;</c> … <c>&lt;|endoftext|&gt;</c> around at most <see cref="Length"/> − 2 tokens, and padding to
/// <see cref="Length"/> with the export's pad token.
/// </summary>
public sealed partial class ClipTokenizer
{
    /// <summary>CLIP's beginning-of-text token.</summary>
    public const string StartToken = "<|startoftext|>";

    /// <summary>CLIP's end-of-text token (also SD 1.x's padding).</summary>
    public const string EndToken = "<|endoftext|>";

    /// <summary>The text encoder's sequence length of every Stable Diffusion export.</summary>
    public const int DefaultLength = 77;

    private readonly BpeTokenizer _bpe;

    private ClipTokenizer(BpeTokenizer bpe, int start, int end, int pad, int length)
    {
        _bpe = bpe;
        StartId = start;
        EndId = end;
        PadId = pad;
        Length = length;
    }

    /// <summary>Id of <c>&lt;|startoftext|&gt;</c> (49406 in CLIP's vocabulary).</summary>
    public int StartId { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> (49407 in CLIP's vocabulary).</summary>
    public int EndId { get; }

    /// <summary>Id every sequence is padded with.</summary>
    public int PadId { get; }

    /// <summary>Tokens per sequence, start and end included (77).</summary>
    public int Length { get; }

    /// <summary>Reads <c>vocab.json</c> and <c>merges.txt</c>; the vocabulary must hold the start, end and pad tokens.</summary>
    /// <exception cref="FormatException">A file is malformed or a special token is missing; the message says which.</exception>
    public static ClipTokenizer Load(string vocabPath, string mergesPath, string padToken = EndToken, int length = DefaultLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 3);
        Dictionary<string, int> vocabulary;
        try
        {
            using var stream = File.OpenRead(vocabPath);
            vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(stream)
                ?? throw new FormatException("vocab.json: is null.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"vocab.json: not a JSON object of token → id ({e.Message})", e);
        }

        var merges = new List<string>();
        foreach (var line in File.ReadLines(mergesPath))
        {
            if (line.Length == 0 || line.StartsWith("#version", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.Split(' ').Length != 2)
            {
                throw new FormatException($"merges.txt: line {merges.Count + 1} '{Shorten(line)}' is not two tokens separated by one space.");
            }

            merges.Add(line);
        }

        int Id(string token) => vocabulary.TryGetValue(token, out var id)
            ? id
            : throw new FormatException($"vocab.json: has no '{token}' token.");

        var start = Id(StartToken);
        var end = Id(EndToken);
        var pad = Id(padToken);
        var specials = new Dictionary<string, int>(StringComparer.Ordinal) { [StartToken] = start, [EndToken] = end };
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges,
                EndOfWordSuffix = "</w>",
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(ClipPattern(), specials),
                SpecialTokens = specials,
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new FormatException($"merges.txt/vocab.json: {e.Message}", e);
        }

        return new ClipTokenizer(bpe, start, end, pad, length);
    }

    /// <summary>
    /// The ids of <paramref name="text"/>: start, the text's tokens (at most <see cref="Length"/> − 2, the rest cut),
    /// end, then padding up to <see cref="Length"/>. Written into <paramref name="ids"/> (length <see cref="Length"/>).
    /// </summary>
    public void Encode(string text, Span<int> ids)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (ids.Length != Length)
        {
            throw new ArgumentException($"Needs {Length} ids, got {ids.Length}.", nameof(ids));
        }

        var tokens = _bpe.EncodeToIds(Clean(text), considerPreTokenization: true, considerNormalization: false);
        var count = Math.Min(tokens.Count, Length - 2);
        ids[0] = StartId;
        for (var i = 0; i < count; i++)
        {
            ids[1 + i] = tokens[i];
        }

        ids[1 + count] = EndId;
        ids[(2 + count)..].Fill(PadId);
    }

    /// <summary>The ids of <paramref name="text"/> as a new array (see <see cref="Encode(string, Span{int})"/>).</summary>
    public int[] Encode(string text)
    {
        var ids = new int[Length];
        Encode(text, ids);
        return ids;
    }

    /// <summary>CLIP's clean-up: HTML entities decoded, whitespace runs collapsed to one space, trimmed, lower-cased.</summary>
    internal static string Clean(string text) =>
        Whitespace().Replace(WebUtility.HtmlDecode(text), " ").Trim().ToLowerInvariant();

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "…";

    /// <summary>CLIP's pre-tokenisation: the special tokens, English contractions, letter runs, single digits, other non-space runs.</summary>
    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase)]
    private static partial Regex ClipPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
