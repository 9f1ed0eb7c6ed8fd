using Microsoft.Extensions.Options;

namespace Atelier.Silo.Security;

/// <summary>Refuses to start with short, duplicate or tenant-less keys; messages name the setting, never the key.</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public const int MinKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            if (key.Key.Length < MinKeyLength)
            {
                failures.Add($"Security:ApiKeys:{i}:Key must have at least {MinKeyLength} characters.");
            }

            if (!IsTenant(key.Tenant))
            {
                failures.Add($"Security:ApiKeys:{i}:Tenant must be 1-64 characters of letters, digits, '-', '_', '.'.");
            }

            if (!seen.Add(key.Key))
            {
                failures.Add($"Security:ApiKeys:{i}:Key is configured twice.");
            }
        }

        for (var i = 0; i < options.AdminKeys.Count; i++)
        {
            if (options.AdminKeys[i].Length < MinKeyLength)
            {
                failures.Add($"Security:AdminKeys:{i} must have at least {MinKeyLength} characters.");
            }

            if (!seen.Add(options.AdminKeys[i]))
            {
                failures.Add($"Security:AdminKeys:{i} is configured twice.");
            }
        }

        if (!IsTenant(options.AdminTenant) || !IsTenant(options.DevelopmentTenant))
        {
            failures.Add("Security:AdminTenant and Security:DevelopmentTenant must be valid tenant names.");
        }

        if (options.RatePerSecond < 0 || options.RateBurst < 0)
        {
            failures.Add("Security:RatePerSecond and Security:RateBurst must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsTenant(string tenant)
    {
        if (tenant.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in tenant)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
