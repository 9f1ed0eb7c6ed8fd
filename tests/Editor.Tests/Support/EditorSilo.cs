using System.Net;
using System.Net.Sockets;

namespace Atelier.Editor.Tests.Support;

/// <summary>The real silo (models from <c>.atelier/models</c>) on a real Kestrel port: what the browser loads the editor from.</summary>
public class EditorSilo : IAsyncLifetime
{
    public const string Name = "editor-silo";

    private readonly Silo.Tests.Http.ApiHost _host;

    public EditorSilo() : this([])
    {
    }

    protected EditorSilo(params (string Key, string? Value)[] settings) =>
        _host = new(Silo.Tests.Http.ApiHost.Unlimited([("Silo:Name", Name), .. settings]));

    public string Url { get; private set; } = "";

    public HttpClient Http { get; } = new();

    public Task InitializeAsync()
    {
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            _host.UseKestrel(port);
            Url = $"http://127.0.0.1:{port}/";
        }

        _host.StartServer();
        Http.BaseAddress = new Uri(Url);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _host.DisposeAsync();
    }
}

/// <summary>A silo whose API needs a key (<see cref="Key"/>): the editor must still load and ask for it.</summary>
public sealed class SecuredEditorSilo : EditorSilo
{
    public const string Key = "editor-test-key-0123456789";

    public SecuredEditorSilo() : base(("Security:ApiKeys:0:Key", Key), ("Security:ApiKeys:0:Tenant", "editor"))
    {
    }
}

/// <summary>A silo whose configured text-inpainting model is not registered: replace answers 501.</summary>
public sealed class NoInpaintingEditorSilo : EditorSilo
{
    public NoInpaintingEditorSilo() : base(("Sessions:ReplaceModel", "no-such-inpainting-model"))
    {
    }
}
