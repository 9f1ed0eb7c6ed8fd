using System.Globalization;
using Atelier.Client;

namespace Atelier.Cli;

/// <summary>Parses <c>--point X,Y[,LABEL]</c> and <c>--box X0,Y0,X1,Y1</c>.</summary>
internal static class PromptParser
{
    public static PromptPoint Point(string text)
    {
        var parts = Numbers(text, "--point");
        return parts.Length switch
        {
            2 => new PromptPoint(parts[0], parts[1]),
            3 when parts[2] is 0 or 1 => new PromptPoint(parts[0], parts[1], (int)parts[2]),
            3 => throw new FormatException($"--point '{text}': the label must be 0 or 1"),
            _ => throw new FormatException($"--point '{text}': expected X,Y or X,Y,LABEL"),
        };
    }

    public static PromptBox Box(string text)
    {
        var parts = Numbers(text, "--box");
        return parts.Length == 4
            ? new PromptBox(parts[0], parts[1], parts[2], parts[3])
            : throw new FormatException($"--box '{text}': expected X0,Y0,X1,Y1");
    }

    private static double[] Numbers(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var numbers = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
            {
                throw new FormatException($"{option} '{text}': '{parts[i]}' is not a number");
            }
        }

        return numbers;
    }
}
