using Atelier.Models.Forge.Proto;
using Google.Protobuf;

namespace Atelier.Models.Forge.Writer;

/// <summary>Collects a node's attributes: <c>a =&gt; a.Int("axis", 1).Floats("scales", 1, 2)</c>.</summary>
public sealed class OnnxAttributes
{
    private readonly List<AttributeProto> _attributes = [];

    internal IReadOnlyList<AttributeProto> Items => _attributes;

    public OnnxAttributes Int(string name, long value) => Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    public OnnxAttributes Float(string name, float value) => Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    public OnnxAttributes String(string name, string value) => Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });

    public OnnxAttributes Ints(string name, params ReadOnlySpan<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        foreach (var value in values)
        {
            attribute.Ints.Add(value);
        }

        return Add(attribute);
    }

    public OnnxAttributes Floats(string name, params ReadOnlySpan<float> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        foreach (var value in values)
        {
            attribute.Floats.Add(value);
        }

        return Add(attribute);
    }

    public OnnxAttributes Strings(string name, params ReadOnlySpan<string> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        foreach (var value in values)
        {
            attribute.Strings.Add(ByteString.CopyFromUtf8(value));
        }

        return Add(attribute);
    }

    /// <summary>A tensor attribute, e.g. the <c>value</c> of a <c>Constant</c> node (build it with <see cref="OnnxTensors"/>).</summary>
    public OnnxAttributes Tensor(string name, TensorProto value) => Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value });

    /// <summary>A graph attribute, e.g. the <c>body</c> of a <c>Loop</c> (build it with <see cref="OnnxModelBuilder.BuildGraph"/>).</summary>
    public OnnxAttributes Graph(string name, GraphProto value) => Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = value });

    private OnnxAttributes Add(AttributeProto attribute)
    {
        ArgumentException.ThrowIfNullOrEmpty(attribute.Name);
        _attributes.Add(attribute);
        return this;
    }
}
