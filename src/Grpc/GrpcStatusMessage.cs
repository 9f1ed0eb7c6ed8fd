using System.Text;

namespace Atelier.Grpc;

/// <summary>
/// Percent-encoding of the <c>grpc-message</c> trailer: the message's UTF-8 bytes outside printable ASCII
/// (0x20–0x7E) and <c>%</c> itself are written as <c>%XX</c>.
/// </summary>
public static class GrpcStatusMessage
{
    public static string Encode(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var needs = false;
        foreach (var c in message)
        {
            if (c is < ' ' or > '~' or '%')
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E or (byte)'%')
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
            else
            {
                builder.Append((char)b);
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes <c>%XX</c> sequences; malformed ones are kept as they are (the spec asks receivers not to fail).</summary>
    public static string Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && HexValue(value[i + 1]) is { } high && HexValue(value[i + 2]) is { } low)
            {
                bytes.Add((byte)((high << 4) | low));
                i += 2;
            }
            else if (value[i] <= 0x7F)
            {
                bytes.Add((byte)value[i]);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static int? HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => null,
    };
}
