using Atelier.Models.Forge.Proto;
using Atelier.Models.Forge.Writer;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Forge;

/// <summary>
/// <c>sam-isnet</c>: SAM's ONNX interface around a REAL learned encoder (ISNet, quint8), so clicks on
/// real photos select real objects at a realistic encoder cost. It is not SAM.
/// <para>
/// Encoder = affine prologue (SAM's normalized input → ISNet's <c>(v − 128) / 256</c>:
/// <c>x·std/256 + (mean − 128)/256</c> per channel) → the ISNet graph, pruned to the nodes its
/// <c>output</c> needs and with every name prefixed <c>isnet/</c> → SpaceToDepth(16) of the saliency
/// <c>[1,1,1024,1024]</c> into <c>image_embeddings [1,256,64,64]</c> (all 1024² values, nothing lost).
/// </para>
/// <para>
/// Decoder: DepthToSpace(16) back to the saliency, 4×4 mean to 256×256; at saliency thresholds
/// 0.3/0.5/0.7 a point on the salient side floods the salient cells, a point on the background floods
/// the background (see <see cref="SamDecoderGraph"/>).
/// </para>
/// </summary>
internal static class SamIsnetForge
{
    /// <summary>Saliency thresholds of the three multimask outputs.</summary>
    public static readonly float[] Thresholds = [0.3f, 0.5f, 0.7f];

    private const string Prefix = "isnet/";

    /// <summary>Composes the encoder from the bytes of ISNet's <c>model.onnx</c> (input <c>input</c>, output <c>output</c>).</summary>
    public static byte[] BuildEncoder(byte[] isnetModel)
    {
        var model = ModelProto.Parser.ParseFrom(isnetModel);
        var source = model.Graph ?? throw new InvalidDataException("The ISNet model has no graph.");
        var initializerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var initializer in source.Initializer)
        {
            initializerNames.Add(initializer.Name);
        }

        var input = FindInput(source, initializerNames);
        var needed = Prune(source, "output");
        var graph = new GraphProto { Name = "sam_isnet_encoder" };

        // Prologue: x·a + b with a = std/256, b = (mean − 128)/256, per channel.
        var scale = new float[3];
        var offset = new float[3];
        for (var c = 0; c < 3; c++)
        {
            scale[c] = SamDemoForge.PixelStd[c] / 256f;
            offset[c] = (SamDemoForge.PixelMean[c] - 128f) / 256f;
        }

        graph.Initializer.Add(OnnxTensors.Create<float>("prologue/scale", scale, 1, 3, 1, 1));
        graph.Initializer.Add(OnnxTensors.Create<float>("prologue/offset", offset, 1, 3, 1, 1));
        graph.Node.Add(Node("Mul", "prologue/mul", ["x", "prologue/scale"], "prologue/scaled"));
        graph.Node.Add(Node("Add", "prologue/add", ["prologue/scaled", "prologue/offset"], Prefix + input));

        foreach (var initializer in source.Initializer)
        {
            if (needed.Values.Contains(initializer.Name))
            {
                var copy = initializer.Clone();
                copy.Name = Prefix + copy.Name;
                graph.Initializer.Add(copy);
            }
        }

        for (var i = 0; i < needed.Nodes.Count; i++)
        {
            var copy = needed.Nodes[i].Clone();
            copy.Name = Prefix + (copy.Name.Length > 0 ? copy.Name : "node" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Rename(copy.Input);
            Rename(copy.Output);
            graph.Node.Add(copy);
        }

        var epilogue = Node("SpaceToDepth", "epilogue/pack", [Prefix + "output"], "image_embeddings");
        epilogue.Attribute.Add(new AttributeProto { Name = "blocksize", Type = AttributeProto.Types.AttributeType.Int, I = 16 });
        graph.Node.Add(epilogue);
        graph.Input.Add(TensorValue("x", 1, 3, 1024, 1024));
        graph.Output.Add(TensorValue("image_embeddings", 1, 256, 64, 64));

        var composed = new ModelProto
        {
            IrVersion = model.IrVersion,
            ProducerName = "atelier-forge",
            Graph = graph,
        };
        composed.OpsetImport.AddRange(model.OpsetImport);
        return composed.ToByteArray();
    }

    public static byte[] BuildDecoder() => SamDecoderGraph.Build("sam_isnet_decoder", SaliencySimilarity, 1).Builder.ToBytes();

    /// <summary>S = (saliency − t)·side·2, side = +1 when the point's saliency is above t, −1 otherwise.</summary>
    private static string SaliencySimilarity(GraphWriter w, string embeddings, string itemOf, string weights, string weightSums)
    {
        const int side = SamDecoderGraph.LowRes;
        var saliency = w.AvgPoolDown(w.Op("DepthToSpace", [embeddings], a => a.Int("blocksize", 16).String("mode", "DCR")), 4); // [B,1,256,256]
        var (atPoints, planes) = SamDecoderGraph.SampleAtPoints(w, saliency, itemOf, weights, weightSums); // [P,1], [P,1,256,256]
        var thresholds = w.Const(Thresholds, 3, 1, 1, 1);
        var pointSide = w.Sub(w.Mul(w.GreaterF(w.Reshape(atPoints, 1, -1, 1, 1), thresholds), w.Scalar(2f)), w.Scalar(1f)); // [3,P,1,1]
        return w.Clip(w.Mul(w.Mul(w.Sub(w.Reshape(planes, 1, -1, side, side), thresholds), pointSide), w.Scalar(2f)), -1f, 1f);
    }

    private static string FindInput(GraphProto graph, HashSet<string> initializerNames)
    {
        foreach (var value in graph.Input)
        {
            if (!initializerNames.Contains(value.Name))
            {
                return value.Name;
            }
        }

        throw new InvalidDataException("The ISNet model has no image input.");
    }

    /// <summary>The nodes (in the original, topological order) and value names <paramref name="output"/> depends on.</summary>
    private static (List<NodeProto> Nodes, HashSet<string> Values) Prune(GraphProto graph, string output)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            foreach (var name in graph.Node[i].Output)
            {
                producer[name] = i;
            }

            foreach (var attribute in graph.Node[i].Attribute)
            {
                if (attribute.G is not null || attribute.Graphs.Count > 0)
                {
                    throw new InvalidDataException($"Node '{graph.Node[i].Name}' has a subgraph; composing such models is not supported.");
                }
            }
        }

        if (!producer.ContainsKey(output))
        {
            throw new InvalidDataException($"The ISNet model has no '{output}' value.");
        }

        var keep = new bool[graph.Node.Count];
        var values = new HashSet<string>(StringComparer.Ordinal) { output };
        var pending = new Stack<string>();
        pending.Push(output);
        while (pending.TryPop(out var value))
        {
            if (!producer.TryGetValue(value, out var index) || keep[index])
            {
                continue;
            }

            keep[index] = true;
            foreach (var name in graph.Node[index].Input)
            {
                if (name.Length > 0 && values.Add(name))
                {
                    pending.Push(name);
                }
            }
        }

        var nodes = new List<NodeProto>();
        for (var i = 0; i < keep.Length; i++)
        {
            if (keep[i])
            {
                nodes.Add(graph.Node[i]);
            }
        }

        return (nodes, values);
    }

    private static void Rename(RepeatedField<string> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i].Length > 0)
            {
                names[i] = Prefix + names[i];
            }
        }
    }

    private static NodeProto Node(string opType, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto TensorValue(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorElementType.Float, Shape = shape } },
        };
    }
}
