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
    }

    [Theory]
    [InlineData("port")]
    [InlineData("bind")]
    [InlineData("heartbeat")]
    [InlineData("missed")]
    public void Out_of_range_values_are_rejected(string which)
    {
        var options = new ClusterOptions();
        switch (which)
        {
            case "port": options.SiloPort = 0; break;
            case "bind": options.SiloBindAddress = "localhost"; break;
            case "heartbeat": options.HeartbeatPeriod = TimeSpan.Zero; break;
            default: options.MissedHeartbeatsLimit = 1; break;
        }

        Assert.Throws<ArgumentException>(options.Validate);
    }
}
