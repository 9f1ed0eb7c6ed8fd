using Microsoft.Extensions.Options;

namespace Atelier.Silo.Hosting;

/// <summary>Checks <see cref="ClusterOptions"/> at start: one message per out-of-range setting.</summary>
internal sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Redis)) failures.Add("Cluster:Redis must not be empty.");
        if (options.ClusterId is { } id && string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(options.ServiceId)) failures.Add("Cluster:ClusterId and Cluster:ServiceId must not be empty.");
        if (string.IsNullOrWhiteSpace(options.KeyPrefix)) failures.Add("Cluster:KeyPrefix must not be empty.");
        if (options.SiloPort is < 0 or > 65535) failures.Add("Cluster:SiloPort must be in 0..65535.");
        if (options.GatewayPort is < 0 or > 65535) failures.Add("Cluster:GatewayPort must be in 0..65535 (0: no gateway).");
        if (!System.Net.IPAddress.TryParse(options.SiloBindAddress, out _)) failures.Add("Cluster:SiloBindAddress must be an IP address.");
        if (options.ProbeTimeout <= TimeSpan.Zero || options.TableRefreshPeriod <= TimeSpan.Zero || options.HeartbeatPeriod <= TimeSpan.Zero)
            failures.Add("Cluster:ProbeTimeout, TableRefreshPeriod and HeartbeatPeriod must be positive.");
        if (options.MissedProbesLimit < 1 || options.DeathVotes < 1) failures.Add("Cluster:MissedProbesLimit and DeathVotes must be at least 1.");
        if (options.MaxMessageBodyBytes < 1 << 20) failures.Add("Cluster:MaxMessageBodyBytes must be at least 1 MiB.");
        if (options.ResponseTimeout <= TimeSpan.Zero) failures.Add("Cluster:ResponseTimeout must be positive.");
        if (options.DirectoryLease is { } lease && lease < TimeSpan.Zero) failures.Add("Cluster:DirectoryLease must not be negative (0: no hold after a silo dies).");
        if (options.RetryBudget < TimeSpan.Zero) failures.Add("Cluster:RetryBudget must not be negative.");
        if (options.SessionMaxVersions < 1) failures.Add("Cluster:SessionMaxVersions must be at least 1.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
