namespace Atelier.Cluster.Tests;

public sealed class ClusterOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var options = new ClusterOptions();

        options.Validate();

        Assert.Equal(11111, options.SiloPort);
        Assert.Equal(TimeSpan.FromSeconds(1), options.HeartbeatPeriod);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ProbePeriod);
        Assert.Equal(3, options.MissedProbesLimit);
        Assert.Equal(2, options.SuspicionQuorum);
    }

    [Theory]
    [InlineData("port")]
    [InlineData("bind")]
    [InlineData("heartbeat")]
    [InlineData("missed")]
    [InlineData("probe")]
    [InlineData("probe-timeout")]
    [InlineData("probed")]
    [InlineData("quorum")]
    [InlineData("suspicion-expiry")]
    public void Out_of_range_values_are_rejected(string which)
    {
        var options = new ClusterOptions();
        switch (which)
        {
            case "port": options.SiloPort = 0; break;
            case "bind": options.SiloBindAddress = "localhost"; break;
            case "heartbeat": options.HeartbeatPeriod = TimeSpan.Zero; break;
            case "probe": options.ProbePeriod = TimeSpan.Zero; break;
            case "probe-timeout": options.ProbeTimeout = TimeSpan.FromSeconds(-1); break;
            case "probed": options.ProbedSilos = 0; break;
            case "quorum": options.SuspicionQuorum = 0; break;
            case "suspicion-expiry": options.SuspicionExpiry = TimeSpan.FromMilliseconds(10); break;
            default: options.MissedHeartbeatsLimit = 1; break;
        }

        Assert.Throws<ArgumentException>(options.Validate);
    }
}
