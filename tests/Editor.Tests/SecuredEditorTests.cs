using Atelier.Editor.Tests.Support;

namespace Atelier.Editor.Tests;

/// <summary>The editor of a silo whose API needs a key: the page itself loads, the API answers 401 until a key is given.</summary>
public sealed class SecuredEditorTests(SecuredEditorSilo silo) : IClassFixture<SecuredEditorSilo>
{
    [BrowserFact]
    public async Task Editor_loads_asks_for_the_key_and_then_lists_the_models()
    {
        var folder = Browser.ResultsFolder();
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            Step.Goto(),
            Step.WaitMessage(),
            Step.Screenshot("1-key-asked"),
            Step.Fill("#api-key", SecuredEditorSilo.Key),
            Step.Press("Enter"),
            Step.WaitIdle(),
            Step.Options("#model"),
        ]);

        var asked = results[1]!;
        Assert.Equal("unauthorized", asked["code"]!.GetValue<string>());
        Assert.True(asked["keyAsked"]!.GetValue<bool>(), "the API key field is shown");
        Assert.Contains("sam-demo", results[6]!.AsArray().Select(o => o!.GetValue<string>()));
    }
}
