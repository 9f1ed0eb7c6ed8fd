using System.Buffers.Text;
using System.Security.Cryptography;
using Atelier.Grains;

namespace Atelier.Silo.Endpoints;

/// <summary>Session ids: 144 random bits as 24 URL-safe base64 characters.</summary>
internal static class SessionIds
{
    /// <summary>Longest id accepted in a URL; anything longer cannot exist.</summary>
    public const int MaxLength = 128;

    public static string New()
    {
        Span<byte> random = stackalloc byte[18];
        RandomNumberGenerator.Fill(random);
        return Base64Url.EncodeToString(random);
    }

    /// <summary>
    /// Placement hints for the open call of the session <paramref name="id"/> just minted (HTTP and gRPC alike): placed
    /// where <paramref name="model"/> is resident, and opened without a store read (so it opens even while Redis is down).
    /// </summary>
    public static void HintNewSession(string id, string model)
    {
        CallContext.Set(CallContext.Model, model);
        CallContext.Set(CallContext.NewSession, id);
    }

    /// <summary>Whether <paramref name="id"/> could be a session id (URL-safe characters, bounded length).</summary>
    public static bool IsWellFormed(string id)
    {
        if (id.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
