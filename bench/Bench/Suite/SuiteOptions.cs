using System.Globalization;

namespace Atelier.Bench.Suite;

/// <summary>
/// Sample counts of the suite, settable on the command line as <c>key=value</c> after <c>suite</c>
/// (for example <c>suite clicks=20 levelSeconds=5 only=P1,P5</c>). The defaults keep the whole suite
/// at about 6 minutes on a 2-core machine.
/// </summary>
internal sealed class SuiteOptions
{
    /// <summary>P1/P2: timed clicks per candidate (sticky click, raw decoder), interleaved. Default: 60.</summary>
    public int Clicks { get; set; } = 60;

    /// <summary>P2: stateless requests (upload + encode + decode) for <c>sam-demo</c>. Default: 12.</summary>
    public int StatelessRunsDemo { get; set; } = 12;

    /// <summary>P2: stateless requests and raw encoder runs for <c>sam-isnet</c> (an encode is an ISNet run). Default: 3.</summary>
    public int StatelessRunsIsnet { get; set; } = 3;

    /// <summary>P3: alternating rounds per side (Atelier, onnxruntime-node). Default: 4.</summary>
    public int OnnxRounds { get; set; } = 4;

    /// <summary>P3: timed ISNet runs per round and side (Node adds one untimed warm-up run per round). Default: 1.</summary>
    public int OnnxRunsPerRound { get; set; } = 1;

    /// <summary>P4: timed calls per path (via owner, via non-owner) and per call kind. Default: 80.</summary>
    public int HopCalls { get; set; } = 80;

    /// <summary>
    /// P5: the shortest measured window per concurrency level, in seconds (after a warm-up until every session has
    /// clicked once; the window also waits for two clicks per session, at most 4 × this). Default: 10 s.
    /// </summary>
    public double LevelSeconds { get; set; } = 10;

    /// <summary>P5: the concurrency levels (sessions clicking at once). Default: 1, 8, 64.</summary>
    public IReadOnlyList<int> Levels { get; set; } = [1, 8, 64];

    /// <summary>P6: swap rounds (each loads both models once through the host and once raw, the order alternating). Default: 8.</summary>
    public int SwapRounds { get; set; } = 8;

    /// <summary>P7: sessions opened per precision to measure memory growth (after 6 warm-up sessions). Default: 24.</summary>
    public int MemorySessions { get; set; } = 24;

    /// <summary>Scenarios to run (<c>only=P1,P4</c>). Default: all of P1..P7.</summary>
    public IReadOnlySet<string> Only { get; set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "P1", "P2", "P3", "P4", "P5", "P6", "P7" };

    /// <summary>Set only by P7 for its child process: measure session memory with this embedding precision and print it. Default: none.</summary>
    public string? MemoryChild { get; set; }

    /// <summary>Where latest.md and latest.json go, relative to the repository root. Default: <c>bench/results</c>.</summary>
    public string ResultsFolder { get; set; } = Path.Combine("bench", "results");

    /// <summary>Parses <c>key=value</c> arguments (keys are the property names, case-insensitive).</summary>
    public static SuiteOptions Parse(IReadOnlyList<string> arguments)
    {
        var options = new SuiteOptions();
        foreach (var argument in arguments)
        {
            var separator = argument.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new ArgumentException($"Suite arguments are key=value; got '{argument}'.");
            }

            var (key, value) = (argument[..separator].ToUpperInvariant(), argument[(separator + 1)..]);
            switch (key)
            {
                case "CLICKS": options.Clicks = Positive(key, value); break;
                case "STATELESSRUNSDEMO": options.StatelessRunsDemo = Positive(key, value); break;
                case "STATELESSRUNSISNET": options.StatelessRunsIsnet = Positive(key, value); break;
                case "ONNXROUNDS": options.OnnxRounds = Positive(key, value); break;
                case "ONNXRUNSPERROUND": options.OnnxRunsPerRound = Positive(key, value); break;
                case "HOPCALLS": options.HopCalls = Positive(key, value); break;
                case "LEVELSECONDS": options.LevelSeconds = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "LEVELS": options.Levels = [.. value.Split(',').Select(v => Positive(key, v))]; break;
                case "SWAPROUNDS": options.SwapRounds = Positive(key, value); break;
                case "MEMORYSESSIONS": options.MemorySessions = Positive(key, value); break;
                case "ONLY": options.Only = new HashSet<string>(value.Split(','), StringComparer.OrdinalIgnoreCase); break;
                case "RESULTSFOLDER": options.ResultsFolder = value; break;
                case "MEMORYCHILD": options.MemoryChild = value; break;
                default: throw new ArgumentException($"Unknown suite option '{argument[..separator]}'.");
            }
        }

        if (options.LevelSeconds <= 0)
        {
            throw new ArgumentException("levelSeconds must be positive.");
        }

        return options;
    }

    private static int Positive(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{key} must be a positive integer; got '{value}'.");
}
