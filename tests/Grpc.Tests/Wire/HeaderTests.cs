using Atelier.Grpc;

namespace Atelier.Grpc.Tests.Wire;

/// <summary><c>grpc-timeout</c>, <c>grpc-message</c> and content-type handling.</summary>
public sealed class HeaderTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("30S", 300_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("1n", 1L)]
    [InlineData("100n", 1L)]
    [InlineData("0S", 0L)]
    [InlineData("99999999m", 999_999_990_000L)]
    public void Timeout_parses_every_unit(string header, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    public void Malformed_timeouts_are_refused(string header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Theory]
    [InlineData(0.5, "500000u")]
    [InlineData(3600.0 * 24 * 40, "3456000S")]
    public void Timeout_formats_to_at_most_eight_digits(double seconds, string expected) =>
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Formatted_timeouts_parse_back_no_shorter()
    {
        foreach (var timeout in new[] { TimeSpan.FromTicks(3), TimeSpan.FromMilliseconds(1.5), TimeSpan.FromSeconds(17), TimeSpan.FromDays(3) })
        {
            Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(timeout), out var parsed));
            Assert.InRange(parsed.Ticks, timeout.Ticks, timeout.Ticks + TimeSpan.TicksPerSecond);
        }
    }

    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("naïve €", "na%C3%AFve %E2%82%AC")]
    public void Status_message_is_percent_encoded(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcStatusMessage.Encode(message));
        Assert.Equal(message, GrpcStatusMessage.Decode(encoded));
    }

    [Fact]
    public void Malformed_percent_sequences_are_kept() => Assert.Equal("50%zz and %4", GrpcStatusMessage.Decode("50%zz and %4"));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("Application/GRPC; charset=utf-8", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Content_type_check(string? contentType, bool expected) => Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
}
