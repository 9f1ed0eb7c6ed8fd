using System.Globalization;
using Atelier.Silo.Hosting;

namespace Atelier.Deploy.Tests;

/// <summary><c>deploy/docker-compose.yml</c>: Redis and three silos wired together, as far as can be checked without Docker.</summary>
public sealed class ComposeTests
{
    private static readonly string ComposePath = Path.Combine(Repository.Deploy, "docker-compose.yml");

    private static Dictionary<object, object?> Services() =>
        Yaml.Map(Assert.Single(Repository.LoadYaml(ComposePath)), "compose").GetMap("services");

    private static IEnumerable<(string Name, Dictionary<object, object?> Service)> Silos() =>
        Services().Select(s => ((string)s.Key, Yaml.Map(s.Value, (string)s.Key)))
            .Where(s => s.Item2.At("build.dockerfile") is not null);

    [Fact]
    public void Three_silos_build_the_cpu_image_from_the_repository_root()
    {
        var silos = Silos().ToList();
        Assert.Equal(3, silos.Count);
        foreach (var (name, silo) in silos)
        {
            var context = Path.GetFullPath(Path.Combine(Repository.Deploy, silo.At("build.context")!.ToString()!));
            Assert.Equal(Repository.Root.TrimEnd(Path.DirectorySeparatorChar), context.TrimEnd(Path.DirectorySeparatorChar));
            Assert.True(File.Exists(Path.Combine(context, silo.At("build.dockerfile")!.ToString()!)), $"{name}: dockerfile missing");
        }
    }

    [Fact]
    public void Silos_find_redis_and_each_other_by_service_name()
    {
        var services = Services();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, silo) in Silos())
        {
            var env = Environment(silo, name);
            Assert.Equal("redis", env["ATELIER__Silo__Mode"]);
            var redis = env["ATELIER__Cluster__Redis"].Split(':');
            var redisService = services.GetMap(redis[0]);
            Assert.StartsWith("redis", redisService.GetString("image"), StringComparison.Ordinal);
            Assert.Equal("6379", redis[1]);
            Assert.Equal("service_healthy", silo.At($"depends_on.{redis[0]}.condition")?.ToString());
            Assert.Equal(name, env["ATELIER__Cluster__AdvertisedHost"]); // other silos dial this name on the compose network
            Assert.True(names.Add(env["ATELIER__Silo__Name"]), "silo names must be distinct");

            // The published container port is the one the silo listens on.
            var listen = new Uri(env["ASPNETCORE_URLS"]).Port.ToString(CultureInfo.InvariantCulture);
            var published = Yaml.List(silo.Get("ports"), "ports").Select(p => p!.ToString()!.Split(':')[^1]).ToList();
            Assert.Contains(listen, published);
            Assert.DoesNotContain(env["ATELIER__Cluster__SiloPort"], published); // silo-to-silo stays internal
        }
    }

    [Fact]
    public void Health_checks_probe_readiness_and_the_stop_grace_outlasts_the_drain()
    {
        Assert.NotNull(Services().GetMap("redis").Get("healthcheck"));
        foreach (var (name, silo) in Silos())
        {
            var test = string.Join(' ', Yaml.List(silo.At("healthcheck.test"), "healthcheck.test"));
            Assert.Contains("/readyz", test);
            var env = Environment(silo, name);
            var shutdown = TimeSpan.FromSeconds(env.TryGetValue("ATELIER__Silo__ShutdownTimeoutSeconds", out var s)
                ? int.Parse(s, CultureInfo.InvariantCulture)
                : new SiloOptions().ShutdownTimeoutSeconds); // the host's stop deadline, Orleans' drain included
            var grace = silo.GetString("stop_grace_period")!;
            Assert.EndsWith("s", grace, StringComparison.Ordinal);
            Assert.True(TimeSpan.FromSeconds(int.Parse(grace[..^1], CultureInfo.InvariantCulture)) > shutdown, $"{name}: stop_grace_period {grace}");
        }
    }

    [Fact]
    public void Every_ATELIER_variable_is_a_real_option()
    {
        var variables = Repository.AtelierVariables(File.ReadAllText(ComposePath)).ToList();
        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Null(OptionsCatalog.Explain(v)));
    }

    private static Dictionary<string, string> Environment(Dictionary<object, object?> service, string name) =>
        service.GetMap("environment").ToDictionary(e => (string)e.Key, e => e.Value?.ToString() ?? "", StringComparer.Ordinal)
            is { Count: > 0 } env ? env : throw new Xunit.Sdk.XunitException($"{name}: no environment");
}
