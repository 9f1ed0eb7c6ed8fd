using System.Text.RegularExpressions;

namespace Atelier.Deploy.Tests;

/// <summary>What can be checked of the Dockerfiles without a Docker engine.</summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Dockerfiles => new() { "deploy/Dockerfile", "deploy/Dockerfile.cuda" };

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Copy_sources_exist_in_the_build_context(string dockerfile)
    {
        var stages = Instructions(dockerfile).Where(i => i.Name == "FROM")
            .Select(i => AsStage().Match(i.Arguments)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var copies = Instructions(dockerfile).Where(i => i.Name is "COPY" or "ADD").ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var words = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal));
            var sources = words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1).ToList();
            Assert.NotEmpty(sources);
            if (from is not null)
            {
                var stage = from["--from=".Length..];
                Assert.True(stages.Contains(stage) || stage.Contains('/'), $"{dockerfile}: COPY {from} names no stage");
                continue;
            }

            foreach (var source in sources) // the build context is the repository root
            {
                Assert.True(File.Exists(Repository.PathOf(source)) || Directory.Exists(Repository.PathOf(source)), $"{dockerfile}: COPY source '{source}' does not exist");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Image_runs_as_a_non_root_user_with_a_readiness_healthcheck(string dockerfile)
    {
        var instructions = Instructions(dockerfile);
        var user = instructions.Last(i => i.Name == "USER").Arguments;
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Contains("/readyz", instructions.Single(i => i.Name == "HEALTHCHECK").Arguments);
        var entry = instructions.Single(i => i.Name == "ENTRYPOINT").Arguments;
        Assert.Contains("Atelier.Silo.dll", entry);
        Assert.True(File.Exists(Repository.PathOf("src/Silo/Silo.csproj")));
        Assert.Contains(instructions, i => i.Name == "RUN" && i.Arguments.Contains("src/Silo/Silo.csproj", StringComparison.Ordinal));
        Assert.Contains(instructions, i => i.Name == "RUN" && i.Arguments.Contains("Atelier.Setup.dll --cache", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_ATELIER_variable_is_a_real_option(string dockerfile)
    {
        var variables = Repository.AtelierVariables(File.ReadAllText(Repository.PathOf(dockerfile))).ToList();
        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Null(OptionsCatalog.Explain(v)));
    }

    [Fact]
    public void Cuda_image_selects_the_cuda_device_and_the_gpu_package()
    {
        var env = Env("deploy/Dockerfile.cuda");
        Assert.Equal("cuda", env["ATELIER__Silo__Device"]);
        Assert.Contains(Instructions("deploy/Dockerfile.cuda"), i => i.Name == "RUN"
            && i.Arguments.Contains("dotnet publish src/Silo/Silo.csproj", StringComparison.Ordinal)
            && i.Arguments.Contains("-p:OnnxRuntime=Cuda", StringComparison.Ordinal));
        Assert.Equal("cpu", Env("deploy/Dockerfile")["ATELIER__Silo__Device"]);
        Assert.DoesNotContain(Instructions("deploy/Dockerfile"), i => i.Arguments.Contains("OnnxRuntime=Cuda", StringComparison.Ordinal));
    }

    /// <summary>ENV pairs (<c>ENV A=b C=d</c>, continuation lines joined).</summary>
    private static Dictionary<string, string> Env(string dockerfile)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in Instructions(dockerfile).Where(i => i.Name == "ENV"))
        {
            foreach (var pair in instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                Assert.True(eq > 0, $"{dockerfile}: ENV '{pair}' is not KEY=value");
                env[pair[..eq]] = pair[(eq + 1)..];
            }
        }

        return env;
    }

    /// <summary>Instructions with continuation lines joined and comments dropped.</summary>
    private static List<(string Name, string Arguments)> Instructions(string dockerfile)
    {
        var result = new List<(string, string)>();
        var pending = "";
        foreach (var raw in File.ReadAllLines(Repository.PathOf(dockerfile)))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1].Trim() + " ";
                continue;
            }

            var full = pending + line;
            pending = "";
            var space = full.IndexOf(' ', StringComparison.Ordinal);
            result.Add((full[..space].ToUpperInvariant(), full[(space + 1)..].Trim()));
        }

        Assert.Equal("", pending);
        return result;
    }

    [GeneratedRegex(@"\sAS\s+(\S+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex AsStage();
}
