using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atelier.Silo.Tests.Http;

/// <summary>
/// The real silo (<c>Program</c>) with extra settings, through TestServer or (with <see cref="WebApplicationFactory{T}.UseKestrel()"/>)
/// a real Kestrel. Models come from the setup cache (<c>.atelier/models</c>: sam-demo, lama-demo, isnet).
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public ApiHost() : this(new Dictionary<string, string?>())
    {
    }

    public ApiHost(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    /// <summary>Settings that keep tests independent of each other's request rate.</summary>
    public static Dictionary<string, string?> Unlimited(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["Security:RatePerSecond"] = "0", ["Silo:Name"] = "test-silo" };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Tests open small generated pictures: the colour wand selects them exactly and costs no ISNet encode per open
        // (the silo's own default is the photo segmenter sam-isnet). A test's settings may name another.
        builder.UseSetting("Sessions:DefaultModel", "sam-demo");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

    }
}
