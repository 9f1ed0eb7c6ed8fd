using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Endpoints;

/// <summary>Serializer options for request bodies: web defaults (camelCase) with the configured depth limit.</summary>
internal sealed class ApiJson(IOptions<ApiOptions> options)
{
    public JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { MaxDepth = options.Value.MaxJsonDepth };
}
