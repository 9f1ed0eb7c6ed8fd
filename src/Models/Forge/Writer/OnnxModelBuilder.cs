using Atelier.Models.Forge.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Forge.Writer;

/// <summary>
/// A small fluent writer of ONNX models:
/// <code>
/// var model = new OnnxModelBuilder("add")
///     .Input("a", TensorElementType.Float, "N", 3)
///     .Initializer(OnnxTensors.Create&lt;float&gt;("b", [1, 2, 3], 3))
///     .Node("Add", ["a", "b"], ["y"])
///     .Output("y", TensorElementType.Float, "N", 3)
///     .ToBytes();
/// </code>
/// </summary>
public sealed class OnnxModelBuilder
{
    /// <summary>ONNX IR version written by default (8: ONNX 1.10+, read by every supported ORT).</summary>
    public const long DefaultIrVersion = 8;

    /// <summary>Default-domain opset imported when none is given.</summary>
    public const long DefaultOpset = 17;

    private readonly GraphProto _graph;
    private readonly List<OperatorSetIdProto> _opsets = [];
    private int _nodeCount;

    /// <param name="graphName">The graph's name.</param>
    public OnnxModelBuilder(string graphName)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>IR version of the model. Default: <see cref="DefaultIrVersion"/>.</summary>
    public long IrVersion { get; set; } = DefaultIrVersion;

    /// <summary>Producer name written into the model. Default: <c>atelier</c>.</summary>
    public string ProducerName { get; set; } = "atelier";

    /// <summary>Imports <paramref name="domain"/> (empty: the default ONNX domain) at <paramref name="version"/>.</summary>
    public OnnxModelBuilder Opset(long version, string domain = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        _opsets.RemoveAll(o => o.Domain == domain);
        _opsets.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        return this;
    }

    /// <summary>A graph input with shape <paramref name="dims"/>; a string dimension is symbolic.</summary>
    public OnnxModelBuilder Input(string name, TensorElementType type, params ReadOnlySpan<OnnxDim> dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims, hasShape: true));
        return this;
    }

    /// <summary>A graph input of any rank and shape.</summary>
    public OnnxModelBuilder InputWithUnknownShape(string name, TensorElementType type)
    {
        _graph.Input.Add(ValueInfo(name, type, [], hasShape: false));
        return this;
    }

    /// <summary>A graph output with shape <paramref name="dims"/>; a string dimension is symbolic.</summary>
    public OnnxModelBuilder Output(string name, TensorElementType type, params ReadOnlySpan<OnnxDim> dims)
    {
        _graph.Output.Add(ValueInfo(name, type, dims, hasShape: true));
        return this;
    }

    /// <summary>A graph output whose shape is left to shape inference.</summary>
    public OnnxModelBuilder OutputWithUnknownShape(string name, TensorElementType type)
    {
        _graph.Output.Add(ValueInfo(name, type, [], hasShape: false));
        return this;
    }

    /// <summary>A constant tensor of the graph (a weight), built with <see cref="OnnxTensors"/>.</summary>
    public OnnxModelBuilder Initializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentException.ThrowIfNullOrEmpty(tensor.Name, nameof(tensor));
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>A float initializer.</summary>
    public OnnxModelBuilder Initializer(string name, ReadOnlySpan<float> values, params ReadOnlySpan<long> dims)
        => Initializer(OnnxTensors.Create(name, values, dims));

    /// <summary>An int64 initializer (shapes, axes, indices).</summary>
    public OnnxModelBuilder Initializer(string name, ReadOnlySpan<long> values, params ReadOnlySpan<long> dims)
        => Initializer(OnnxTensors.Create(name, values, dims));

    /// <summary>A node of operator <paramref name="opType"/>; an empty input name skips an optional input.</summary>
    public OnnxModelBuilder Node(string opType, ReadOnlySpan<string> inputs, ReadOnlySpan<string> outputs, Action<OnnxAttributes>? attributes = null, string domain = "", string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        var node = new NodeProto { OpType = opType, Name = name ?? $"{opType}_{_nodeCount}" };
        _nodeCount++;
        if (domain.Length > 0)
        {
            node.Domain = domain;
        }

        foreach (var input in inputs)
        {
            node.Input.Add(input);
        }

        foreach (var output in outputs)
        {
            node.Output.Add(output);
        }

        if (attributes is not null)
        {
            var collected = new OnnxAttributes();
            attributes(collected);
            node.Attribute.AddRange(collected.Items);
        }

        _graph.Node.Add(node);
        return this;
    }

    /// <summary>The graph alone, for a subgraph attribute such as a <c>Loop</c> body.</summary>
    public GraphProto BuildGraph() => _graph.Clone();

    /// <summary>The model: IR version, opset imports (default domain at <see cref="DefaultOpset"/> unless set) and the graph.</summary>
    public ModelProto Build()
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            Graph = _graph.Clone(),
        };
        if (!_opsets.Exists(o => o.Domain.Length == 0))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = DefaultOpset });
        }

        model.OpsetImport.AddRange(_opsets);
        return model;
    }

    /// <summary>The serialized model.</summary>
    public byte[] ToBytes() => Build().ToByteArray();

    /// <summary>Writes the serialized model to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.Create(path);
        Build().WriteTo(stream);
    }

    private static ValueInfoProto ValueInfo(string name, TensorElementType type, ReadOnlySpan<OnnxDim> dims, bool hasShape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (hasShape)
        {
            var shape = new TensorShapeProto();
            foreach (var dim in dims)
            {
                shape.Dim.Add(dim.IsSymbolic
                    ? new TensorShapeProto.Types.Dimension { DimParam = dim.Symbol }
                    : new TensorShapeProto.Types.Dimension { DimValue = dim.Value });
            }

            tensorType.Shape = shape;
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
