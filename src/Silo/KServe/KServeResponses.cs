using System.Text.Json.Serialization;

namespace Atelier.Silo.KServe;

/// <summary><c>GET /v2</c>.</summary>
internal sealed record ServerMetadataResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("extensions")] string[] Extensions);

/// <summary>One input or output in model metadata; -1 marks a dimension of any size.</summary>
internal sealed record TensorMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] long[] Shape);

/// <summary><c>GET /v2/models/{name}</c>.</summary>
internal sealed record ModelMetadataResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] string[] Versions,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("inputs")] TensorMetadata[] Inputs,
    [property: JsonPropertyName("outputs")] TensorMetadata[] Outputs);

/// <summary>Body of <c>POST /v2/repository/index</c> (optional): <c>ready: true</c> lists only loaded models.</summary>
internal sealed record IndexBody([property: JsonPropertyName("ready")] bool? Ready);

/// <summary>One model of the repository index.</summary>
internal sealed record RepositoryModel(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("reason")] string Reason);
