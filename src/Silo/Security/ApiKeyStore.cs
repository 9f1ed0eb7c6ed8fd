using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Security;

/// <summary>
/// Resolves a presented key to its tenant. Every configured key is compared, in constant time, whatever
/// matched earlier, so the time taken says nothing about which key (or how much of it) was right.
/// </summary>
internal sealed class ApiKeyStore
{
    private readonly Entry[] _entries;

    public ApiKeyStore(IOptions<SecurityOptions> options)
    {
        var security = options.Value;
        IsOpen = security.IsOpen;
        DevelopmentIdentity = new TenantIdentity(security.DevelopmentTenant, IsAdmin: true);
        var entries = new List<Entry>();
        foreach (var key in security.ApiKeys)
        {
            entries.Add(new Entry(Hash(key.Key), new TenantIdentity(key.Tenant, IsAdmin: false)));
        }

        foreach (var key in security.AdminKeys)
        {
            entries.Add(new Entry(Hash(key), new TenantIdentity(security.AdminTenant, IsAdmin: true)));
        }

        _entries = [.. entries];
    }

    public bool IsOpen { get; }

    public TenantIdentity DevelopmentIdentity { get; }

    /// <summary>The identity of <paramref name="presented"/>, or null when it matches no key.</summary>
    public TenantIdentity? Find(ReadOnlySpan<char> presented)
    {
        // Hashing first gives fixed-length inputs to FixedTimeEquals, so key lengths do not leak either.
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var max = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = Encoding.UTF8.GetBytes(presented, rented);
            SHA256.HashData(rented.AsSpan(0, length), hash);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }

        TenantIdentity? found = null;
        foreach (var entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(entry.Hash, hash) && found is null)
            {
                found = entry.Identity;
            }
        }

        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private sealed record Entry(byte[] Hash, TenantIdentity Identity);
}
