using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Atelier.Deploy.Tests;

/// <summary>The repository checkout the tests run from, and readers for what deploy/ holds.</summary>
internal static partial class Repository
{
    /// <summary>The folder holding <c>Orleans.sln</c>, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Every YAML document of a file (merge keys <c>&lt;&lt;</c> applied), as dictionaries, lists and strings.</summary>
    public static List<object?> LoadYaml(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new MergingParser(new Parser(reader));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<object?>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize<object?>(parser));
        }

        return documents;
    }

    /// <summary><c>ATELIER__</c> names anywhere in a text (YAML keys, Dockerfile ENV, README tables).</summary>
    public static IEnumerable<string> AtelierVariables(string text) =>
        VariablePattern().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal);

    [GeneratedRegex(@"ATELIER__[A-Za-z0-9_]*[A-Za-z0-9]")]
    private static partial Regex VariablePattern();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Navigation over deserialized YAML (dictionaries with object keys, lists, scalars as strings).</summary>
internal static class Yaml
{
    public static Dictionary<object, object?> Map(object? node, string what) =>
        node as Dictionary<object, object?> ?? throw new Xunit.Sdk.XunitException($"{what}: expected a mapping");

    public static List<object?> List(object? node, string what) =>
        node as List<object?> ?? throw new Xunit.Sdk.XunitException($"{what}: expected a list");

    public static object? Get(this Dictionary<object, object?> map, string key) => map.TryGetValue(key, out var value) ? value : null;

    public static Dictionary<object, object?> GetMap(this Dictionary<object, object?> map, string key) => Map(map.Get(key), key);

    public static List<object?> GetList(this Dictionary<object, object?> map, string key) => List(map.Get(key), key);

    public static string? GetString(this Dictionary<object, object?> map, string key) => map.Get(key)?.ToString();

    /// <summary>A nested path <c>a.b.c</c>, or null when any step is missing.</summary>
    public static object? At(this Dictionary<object, object?> map, string path)
    {
        object? current = map;
        foreach (var step in path.Split('.'))
        {
            if (current is not Dictionary<object, object?> m || !m.TryGetValue(step, out current))
            {
                return null;
            }
        }

        return current;
    }
}
