using Atelier.Bench.Suite;

namespace Atelier.Bench.Tests;

public sealed class SuiteOptionsTests
{
    [Fact]
    public void Parse_without_arguments_runs_all_seven_scenarios_with_the_documented_defaults()
    {
        var options = SuiteOptions.Parse([]);

        Assert.Equal(ResultsSchema.Scenarios, options.Only.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal([1, 8, 64], options.Levels);
        Assert.Equal(60, options.Clicks);
        Assert.Null(options.MemoryChild);
    }

    [Fact]
    public void Parse_applies_overrides_case_insensitively()
    {
        var options = SuiteOptions.Parse(["CLICKS=7", "levels=2,4", "only=p1,P6", "levelSeconds=2.5"]);

        Assert.Equal(7, options.Clicks);
        Assert.Equal([2, 4], options.Levels);
        Assert.True(options.Only.SetEquals(["P1", "P6"]));
        Assert.Equal(2.5, options.LevelSeconds);
    }

    [Theory]
    [InlineData("clicks", "key=value")]
    [InlineData("clicks=0", "positive integer")]
    [InlineData("clicks=-3", "positive integer")]
    [InlineData("levels=1,x", "positive integer")]
    [InlineData("rounds=3", "Unknown suite option 'rounds'")]
    [InlineData("levelSeconds=0", "levelSeconds must be positive")]
    public void Parse_rejects_bad_arguments_with_a_message_naming_the_problem(string argument, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => SuiteOptions.Parse([argument]));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
