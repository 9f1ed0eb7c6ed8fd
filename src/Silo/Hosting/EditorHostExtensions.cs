using Microsoft.Extensions.FileProviders;

namespace Atelier.Silo.Hosting;

/// <summary>
/// The browser editor (<c>src/Silo/wwwroot</c>): plain HTML, CSS and ES modules embedded in the silo assembly, so every
/// silo serves the same editor at <c>/</c> wherever it runs (no content root, nothing fetched at run time). The files
/// are outside <c>/v1</c>, so <see cref="Security.ApiKeyMiddleware"/> lets them through while the API stays gated; the
/// editor asks for a key when a call answers 401.
/// </summary>
internal static class EditorHostExtensions
{
    /// <summary>Manifest prefix of the embedded files (see <c>Silo.csproj</c>: <c>LogicalName</c>).</summary>
    private const string ResourcePrefix = "Atelier.Silo.wwwroot";

    /// <summary>Same-origin only: the editor talks to the silo that served it and loads nothing from elsewhere.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static WebApplication UseAtelierEditor(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(EditorHostExtensions).Assembly, ResourcePrefix);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // Revalidate every time (the ETag answers 304): a silo upgraded in place serves its new editor at once.
                headers.CacheControl = "no-cache";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
            },
        });
        return app;
    }
}
