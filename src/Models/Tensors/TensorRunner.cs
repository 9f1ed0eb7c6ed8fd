using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Tensors;

/// <summary>
/// Runs an ONNX graph on protocol tensors, as it is: checks every input against the graph (name, element type, rank,
/// fixed dimensions, data size), copies it into an ONNX Runtime tensor, runs, and returns the requested outputs (all of
/// them, in graph order, when none are named) as raw little-endian bytes. Every protocol front end (KServe v2 REST and
/// gRPC, SageMaker) goes through here, so they check and run alike.
/// </summary>
public static class TensorRunner
{
    /// <exception cref="TensorRequestException">The tensors do not fit the graph (the message names the tensor).</exception>
    public static IReadOnlyList<RawTensor> Run(
        InferenceSession session, IReadOnlyList<RawTensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(inputs);
        var outputNames = OutputNames(session, outputs);
        var names = new string[inputs.Count];
        var values = new OrtValue[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                Check(session, input, inputs, i);
                names[i] = input.Name;
                var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, input.ElementType, input.Shape);
                values[i] = value;
                input.Data.Span.CopyTo(value.GetTensorMutableRawData());
            }

            foreach (var name in session.InputNames)
            {
                if (Array.IndexOf(names, name) < 0)
                {
                    throw new TensorRequestException($"input '{name}' is required by the model and was not sent.");
                }
            }

            using var results = OnnxSessions.Run(session, names, values, outputNames, cancellationToken);
            var tensors = new RawTensor[outputNames.Count];
            var k = 0;
            foreach (var result in results)
            {
                var info = result.GetTensorTypeAndShape();
                var data = result.GetTensorMutableRawData().ToArray();
                tensors[k] = new RawTensor(outputNames[k], info.ElementDataType, info.Shape, data);
                k++;
            }

            return tensors;
        }
        catch (OnnxRuntimeException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The checks above cover what a client controls except values a graph rejects at run time (e.g. an index out of range).
            throw new TensorRequestException($"the model rejected the inputs: {e.Message}", e);
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    private static List<string> OutputNames(InferenceSession session, IReadOnlyList<string>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            var all = new List<string>(session.OutputNames.Count);
            foreach (var output in TensorSignature.OutputsOf(session))
            {
                all.Add(output.Name);
            }

            return all;
        }

        var names = new List<string>(requested.Count);
        foreach (var name in requested)
        {
            if (!session.OutputMetadata.TryGetValue(name, out var node) || !node.IsTensor)
            {
                throw new TensorRequestException($"output '{name}': the model has no such output (it has {string.Join(", ", session.OutputNames)}).");
            }

            if (names.Contains(name))
            {
                throw new TensorRequestException($"output '{name}' is requested twice.");
            }

            names.Add(name);
        }

        return names;
    }

    private static void Check(InferenceSession session, RawTensor input, IReadOnlyList<RawTensor> inputs, int index)
    {
        if (!session.InputMetadata.TryGetValue(input.Name, out var node) || !node.IsTensor)
        {
            throw new TensorRequestException($"input '{input.Name}': the model has no such input (it has {string.Join(", ", session.InputNames)}).");
        }

        for (var j = 0; j < index; j++)
        {
            if (string.Equals(inputs[j].Name, input.Name, StringComparison.Ordinal))
            {
                throw new TensorRequestException($"input '{input.Name}' is sent twice.");
            }
        }

        if (node.ElementDataType != input.ElementType)
        {
            throw new TensorRequestException(
                $"input '{input.Name}': datatype {TensorDatatype.NameOf(input.ElementType)} does not match the model's {TensorDatatype.NameOf(node.ElementDataType) ?? node.ElementDataType.ToString()}.");
        }

        var dims = node.Dimensions;
        var ok = dims.Length == input.Shape.Length;
        for (var d = 0; ok && d < dims.Length; d++)
        {
            ok = input.Shape[d] >= 0 && (dims[d] < 0 || dims[d] == input.Shape[d]);
        }

        if (!ok)
        {
            throw new TensorRequestException(
                $"input '{input.Name}': shape [{string.Join(',', input.Shape)}] does not match the model's [{string.Join(',', dims)}] (-1: any size).");
        }

        var count = RawTensor.ElementCount(input.Shape, int.MaxValue);
        if (count < 0 || count * TensorDatatype.SizeOf(input.ElementType) != input.Data.Length)
        {
            throw new TensorRequestException(
                $"input '{input.Name}': {input.Data.Length} bytes of data do not match shape [{string.Join(',', input.Shape)}] of {TensorDatatype.NameOf(input.ElementType)}.");
        }
    }
}
