using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Models.Store;

namespace Atelier.Editor.Tests.Support;

/// <summary>
/// Debian's headless chromium driven by playwright-core (both installed by <c>./build.sh setup</c>) through
/// <c>browser/driver.mjs</c>: one browser per run, the steps done in order, one result per step.
/// Screenshots land in <c>TestResults/editor/&lt;test&gt;/</c> at the repository root.
/// </summary>
public static class Browser
{
    /// <summary>Debian's chromium (the <c>chromium</c> package), or <c>ATELIER_CHROMIUM</c> when set.</summary>
    public static string? Chromium { get; } = FindChromium();

    /// <summary>playwright-core under the setup cache (<c>.atelier/node/playwright</c>).</summary>
    public static string? PlaywrightCore { get; } = FindPlaywright();

    /// <summary>Why the editor tests cannot run here; null when they can.</summary>
    public static string? Missing =>
        Chromium is null ? "chromium is not installed (Debian package 'chromium'; `./build.sh setup` installs it as root)"
        : PlaywrightCore is null ? "playwright-core is missing from .atelier/node/playwright (run `./build.sh setup`)"
        : null;

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Orleans.sln was not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A fresh folder for one test's screenshots and downloads.</summary>
    public static string ResultsFolder([CallerMemberName] string test = "")
    {
        var folder = Path.Combine(RepositoryRoot, "TestResults", "editor", test);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Runs the steps in a fresh browser profile; a failed step fails the test with the page's message and a screenshot.</summary>
    public static async Task<JsonArray> RunAsync(string url, string outDir, JsonArray steps, (int Width, int Height)? viewport = null)
    {
        var input = new JsonObject
        {
            ["playwright"] = PlaywrightCore,
            ["chromium"] = Chromium,
            ["url"] = url,
            ["outDir"] = outDir,
            ["timeoutMs"] = 90_000,
            ["steps"] = steps,
        };
        if (viewport is { } size)
        {
            input["viewport"] = new JsonObject { ["width"] = size.Width, ["height"] = size.Height };
        }

        var driver = Path.Combine(RepositoryRoot, "tests", "Editor.Tests", "browser", "driver.mjs");
        var info = new ProcessStartInfo("node", [driver])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input.ToJsonString());
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the browser driver did not finish within 5 minutes: {await stderr}");
        }

        var output = await stdout;
        JsonObject? answer = null;
        try
        {
            answer = JsonNode.Parse(output) as JsonObject;
        }
        catch (JsonException)
        {
            // reported below with the raw output
        }

        if (process.ExitCode != 0 || answer is null || answer["error"] is not null)
        {
            Assert.Fail($"the browser driver failed (exit {process.ExitCode}); screenshot: {Path.Combine(outDir, "failure.png")}\n{output}\n{await stderr}");
        }

        return answer["results"]!.AsArray();
    }

    private static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("ATELIER_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindPlaywright()
    {
        var cache = AtelierCache.FindRoot();
        var package = cache is null ? null : Path.Combine(cache, "node", "playwright", "node_modules", "playwright-core");
        return package is not null && File.Exists(Path.Combine(package, "package.json")) ? package : null;
    }
}

/// <summary>A fact that drives the editor in chromium; skipped, with the reason, where setup did not install the browser.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.Missing is { } reason)
        {
            Skip = "Browser test skipped: " + reason + ".";
        }
    }
}

/// <summary>A theory that drives the editor in chromium; skipped like <see cref="BrowserFactAttribute"/>.</summary>
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        if (Browser.Missing is { } reason)
        {
            Skip = "Browser test skipped: " + reason + ".";
        }
    }
}

/// <summary>Builders for the driver's steps (see <c>browser/driver.mjs</c>).</summary>
public static class Step
{
    public static JsonObject Goto() => new() { ["do"] = "goto" };

    public static JsonObject Select(string selector, string value) => new() { ["do"] = "select", ["selector"] = selector, ["value"] = value };

    public static JsonObject Options(string selector) => new() { ["do"] = "options", ["selector"] = selector };

    public static JsonObject Upload(string path) => new() { ["do"] = "upload", ["selector"] = "#file", ["path"] = path };

    /// <summary>Hands the file to the page as a drop on the canvas area (<c>drop</c>) or a paste (<c>paste</c>).</summary>
    public static JsonObject Give(string how, string path, string type) => new() { ["do"] = how, ["path"] = path, ["type"] = type };

    public static JsonObject WaitSession() => new() { ["do"] = "waitSession" };

    public static JsonObject ClickImage(double x, double y, bool shift = false, bool right = false) =>
        new() { ["do"] = "clickImage", ["x"] = x, ["y"] = y, ["shift"] = shift, ["right"] = right };

    public static JsonObject DragImage((double X, double Y) from, (double X, double Y) to) =>
        new() { ["do"] = "dragImage", ["from"] = new JsonArray(from.X, from.Y), ["to"] = new JsonArray(to.X, to.Y) };

    public static JsonObject WaitSegments(int count) => new() { ["do"] = "waitSegments", ["count"] = count };

    public static JsonObject Overlay() => new() { ["do"] = "overlay" };

    public static JsonObject Click(string selector) => new() { ["do"] = "click", ["selector"] = selector };

    public static JsonObject Press(string key) => new() { ["do"] = "press", ["key"] = key };

    public static JsonObject Fill(string selector, string value) => new() { ["do"] = "fill", ["selector"] = selector, ["value"] = value };

    public static JsonObject SetRange(string selector, int value) => new() { ["do"] = "setRange", ["selector"] = selector, ["value"] = value };

    public static JsonObject WaitVersion(int version) => new() { ["do"] = "waitVersion", ["version"] = version };

    public static JsonObject WaitIdle() => new() { ["do"] = "waitIdle" };

    public static JsonObject Download(string path) => new() { ["do"] = "download", ["selector"] = "#download", ["path"] = path };

    public static JsonObject WaitMessage() => new() { ["do"] = "waitMessage" };

    public static JsonObject CloseBehindTheEditor() => new() { ["do"] = "closeBehindTheEditor" };

    public static JsonObject Enabled(string selector) => new() { ["do"] = "enabled", ["selector"] = selector };

    public static JsonObject Text(string selector) => new() { ["do"] = "text", ["selector"] = selector };

    public static JsonObject Screenshot(string name) => new() { ["do"] = "screenshot", ["name"] = name };

    /// <summary>The overlay result as a row-major bitmap (true where the selection is drawn).</summary>
    public static bool[] Bits(JsonNode? overlay)
    {
        var bits = overlay!["bits"]!.GetValue<string>();
        var mask = new bool[bits.Length];
        for (var i = 0; i < bits.Length; i++)
        {
            mask[i] = bits[i] == '1';
        }

        return mask;
    }
}
