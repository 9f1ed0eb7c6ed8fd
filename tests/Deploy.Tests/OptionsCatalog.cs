using System.Collections;
using System.Reflection;
using Atelier.Grains.Memory;
using Atelier.Models.Onnx;
using Atelier.Models.Store;
using Atelier.Silo.Hosting;

namespace Atelier.Deploy.Tests;

/// <summary>
/// Maps an <c>ATELIER__A__B__C</c> environment variable to the options property it binds (configuration key
/// <c>A:B:C</c>) by reflection over the real options types: every type with a <c>SectionName</c> constant, plus the
/// sections the silo binds in code (<c>Onnx</c> → <see cref="OnnxRuntimeOptions"/>) and the top-level host keys. A variable that binds nothing is an invented option.
/// </summary>
internal static class OptionsCatalog
{
    public const string Prefix = "ATELIER__";

    /// <summary>Top-level keys the host reads itself (<c>urls</c>).</summary>
    private static readonly string[] HostKeys = ["Urls"];

    private static readonly Dictionary<string, Type> Sections = BuildSections();

    /// <summary>Null when the variable binds an options property; otherwise why it does not.</summary>
    public static string? Explain(string variable)
    {
        if (!variable.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return $"{variable}: not an {Prefix} variable";
        }

        var segments = variable[Prefix.Length..].Split("__");
        if (segments.Length == 1 && HostKeys.Contains(segments[0], StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        // The longest section that prefixes the key: Sessions:Cache:X binds SessionCacheOptions, Sessions:X SessionOptions.
        for (var length = segments.Length - 1; length >= 1; length--)
        {
            var section = string.Join(':', segments[..length]);
            if (Sections.TryGetValue(section, out var type))
            {
                return Walk(type, segments[length..], variable);
            }
        }

        return $"{variable}: no options section matches '{string.Join(':', segments)}'";
    }

    private static string? Walk(Type type, string[] path, string variable)
    {
        var current = type;
        for (var i = 0; i < path.Length; i++)
        {
            if (ElementType(current) is { } element)
            {
                if (!int.TryParse(path[i], out _))
                {
                    return $"{variable}: '{path[i]}' must be a list index in {current.Name}";
                }

                current = element;
                continue;
            }

            var property = current.GetProperty(path[i], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || property.GetMethod is null)
            {
                return $"{variable}: {current.Name} has no property '{path[i]}'";
            }

            var last = i == path.Length - 1;
            if (last && property.SetMethod?.IsPublic != true)
            {
                return $"{variable}: {current.Name}.{property.Name} cannot be set";
            }

            current = property.PropertyType;
        }

        return IsScalar(current) ? null : $"{variable}: binds {current.Name}, an object, not a value";
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var enumerable = type.GetInterfaces().Append(type)
            .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(DateTimeOffset);
    }

    private static Dictionary<string, Type> BuildSections()
    {
        var sections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
        {
            ["Onnx"] = typeof(OnnxRuntimeOptions),    // bound in AddAtelierGrains
        };
        Assembly[] assemblies =
        [
            typeof(SiloOptions).Assembly, typeof(ClusterOptions).Assembly, typeof(DeviceMemoryOptions).Assembly,
            typeof(Grains.SessionOptions).Assembly, typeof(ModelStoreOptions).Assembly, typeof(OnnxRuntimeOptions).Assembly,
        ];
        foreach (var type in assemblies.Distinct().SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string name)
            {
                sections[name] = type;
            }
        }

        return sections;
    }
}
