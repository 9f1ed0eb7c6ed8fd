using System.Globalization;
using Atelier.Silo.Hosting;

namespace Atelier.Deploy.Tests;

/// <summary><c>deploy/k8s/</c>: manifests parse, reference each other consistently and carry the drain settings.</summary>
public sealed class KubernetesTests
{
    private static readonly string Folder = Path.Combine(Repository.Deploy, "k8s");

    private static List<Dictionary<object, object?>> Objects() =>
        [.. Directory.GetFiles(Folder, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(Repository.LoadYaml).Where(d => d is not null).Select(d => Yaml.Map(d, "manifest"))];

    private static Dictionary<object, object?> Find(string kind, string name) =>
        Objects().Single(o => o.GetString("kind") == kind && o.At("metadata.name")?.ToString() == name);

    private static Dictionary<object, object?> SiloContainer() =>
        Yaml.Map(Assert.Single(Yaml.List(Find("Deployment", "atelier-silo").At("spec.template.spec.containers"), "containers")), "container");

    [Fact]
    public void Every_manifest_parses_into_named_objects_listed_by_the_kustomization()
    {
        var objects = Objects();
        Assert.True(objects.Count >= 7, $"only {objects.Count} objects");
        foreach (var o in objects)
        {
            Assert.False(string.IsNullOrEmpty(o.GetString("apiVersion")));
            Assert.False(string.IsNullOrEmpty(o.GetString("kind")));
            Assert.False(string.IsNullOrEmpty(o.At("metadata.name")?.ToString()));
        }

        var kustomization = Yaml.Map(Assert.Single(Repository.LoadYaml(Path.Combine(Folder, "kustomization.yaml"))), "kustomization");
        var listed = kustomization.GetList("resources").Select(r => r!.ToString()!).Order().ToList();
        var files = Directory.GetFiles(Folder, "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml").Order().ToList();
        Assert.Equal(files, listed);
    }

    [Fact]
    public void Silo_requests_a_gpu_and_probes_readiness_and_liveness_on_its_http_port()
    {
        var container = SiloContainer();
        Assert.Equal("1", Yaml.Map(container.At("resources.limits"), "limits").GetString("nvidia.com/gpu"));
        Assert.Equal("1", Yaml.Map(container.At("resources.requests"), "requests").GetString("nvidia.com/gpu"));
        Assert.Equal("/readyz", container.At("readinessProbe.httpGet.path")?.ToString());
        Assert.Equal("/healthz", container.At("livenessProbe.httpGet.path")?.ToString());
        var ports = Ports(container);
        Assert.Contains(container.At("readinessProbe.httpGet.port")!.ToString()!, ports.Keys);
        Assert.Contains(container.At("livenessProbe.httpGet.port")!.ToString()!, ports.Keys);
        var env = Env(container);
        Assert.Equal(ports["http"], new Uri(env["ASPNETCORE_URLS"]).Port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(ports["silo"], env["ATELIER__Cluster__SiloPort"]);
        Assert.Equal("cuda", env["ATELIER__Silo__Device"]);
    }

    [Fact]
    public void Termination_grace_outlasts_pre_stop_and_the_drain_deadline()
    {
        var pod = Yaml.Map(Find("Deployment", "atelier-silo").At("spec.template.spec"), "pod");
        var container = SiloContainer();
        var preStop = Yaml.List(container.At("lifecycle.preStop.exec.command"), "preStop");
        Assert.Equal("sleep", preStop[0]);
        var env = Env(container);
        var shutdown = TimeSpan.FromSeconds(env.TryGetValue("ATELIER__Silo__ShutdownTimeoutSeconds", out var s)
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : new SiloOptions().ShutdownTimeoutSeconds); // the host's stop deadline, Orleans' drain included
        var grace = TimeSpan.FromSeconds(int.Parse(pod.GetString("terminationGracePeriodSeconds")!, CultureInfo.InvariantCulture));
        var needed = TimeSpan.FromSeconds(int.Parse(preStop[1]!.ToString()!, CultureInfo.InvariantCulture)) + shutdown;
        Assert.True(grace > needed, $"terminationGracePeriodSeconds {grace.TotalSeconds} must exceed {needed.TotalSeconds}");
    }

    [Fact]
    public void Services_and_the_disruption_budget_select_pods_and_ports_that_exist()
    {
        var objects = Objects();
        var deployments = objects.Where(o => o.GetString("kind") == "Deployment").ToList();
        var services = objects.Where(o => o.GetString("kind") == "Service").ToList();
        Assert.Contains(services, s => s.At("spec.clusterIP")?.ToString() == "None"); // headless: silo-to-silo
        foreach (var service in services)
        {
            var name = service.At("metadata.name")!.ToString()!;
            var selector = Yaml.Map(service.At("spec.selector"), name + " selector");
            var target = deployments.Single(d => Matches(selector, Yaml.Map(d.At("spec.template.metadata.labels"), "labels")));
            var containerPorts = Yaml.List(target.At("spec.template.spec.containers"), "containers")
                .SelectMany(c => Ports(Yaml.Map(c, "container")).Keys).ToHashSet(StringComparer.Ordinal);
            foreach (var port in Yaml.List(service.At("spec.ports"), name + " ports"))
            {
                var targetPort = Yaml.Map(port, "port").GetString("targetPort")!;
                Assert.Contains(targetPort, containerPorts);
            }
        }

        var pdb = Find("PodDisruptionBudget", "atelier-silo");
        Assert.True(Matches(Yaml.Map(pdb.At("spec.selector.matchLabels"), "pdb"), Yaml.Map(Find("Deployment", "atelier-silo").At("spec.template.metadata.labels"), "labels")));

        // The Redis address the silos use is a Service of these manifests, on a port it exposes.
        var redis = Env(SiloContainer())["ATELIER__Cluster__Redis"].Split(':');
        var redisService = Find("Service", redis[0]);
        Assert.Contains(Yaml.List(redisService.At("spec.ports"), "redis ports"), p => Yaml.Map(p, "port").GetString("port") == redis[1]);
    }

    [Fact]
    public void Every_ATELIER_variable_is_a_real_option()
    {
        var variables = Directory.GetFiles(Folder, "*.yaml").SelectMany(f => Repository.AtelierVariables(File.ReadAllText(f))).Distinct().ToList();
        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Null(OptionsCatalog.Explain(v)));
    }

    private static bool Matches(Dictionary<object, object?> selector, Dictionary<object, object?> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var v) && Equals(v?.ToString(), s.Value?.ToString()));

    /// <summary>Container ports by name and by number (both are valid probe and targetPort references).</summary>
    private static Dictionary<string, string> Ports(Dictionary<object, object?> container)
    {
        var ports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var port in Yaml.List(container.Get("ports"), "ports"))
        {
            var map = Yaml.Map(port, "port");
            var number = map.GetString("containerPort")!;
            ports[number] = number;
            if (map.GetString("name") is { } name)
            {
                ports[name] = number;
            }
        }

        return ports;
    }

    private static Dictionary<string, string> Env(Dictionary<object, object?> container) =>
        Yaml.List(container.Get("env"), "env").Select(e => Yaml.Map(e, "env"))
            .Where(e => e.Get("value") is not null)
            .ToDictionary(e => e.GetString("name")!, e => e.GetString("value")!, StringComparer.Ordinal);
}
