using Atelier.Onnx.Writer;

namespace Atelier.Onnx.Native;

/// <summary>
/// Copies tensors between host and device through a one-node <c>Identity</c> session on the same
/// execution provider as its owner: the source is bound as the input, the destination as the
/// output, and ORT inserts the host/device transfers it needs. This works for classic providers
/// (CUDA added with <c>SessionOptionsAppendExecutionProvider_CUDA_V2</c>), whose data transfer
/// <c>CopyTensors</c> cannot reach.
/// </summary>
internal sealed class TensorCopier(InferenceSessionOptions options) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TensorElementType, InferenceSession> _sessions = [];

    public void Copy(OrtValue source, OrtValue destination)
    {
        var session = GetSession(source.ElementType);
        using var binding = session.CreateIoBinding();
        binding.BindInput("x", source);
        binding.BindOutput("y", destination);
        session.RunWithBinding(binding);
        binding.SynchronizeOutputs();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var session in _sessions.Values)
            {
                session.Dispose();
            }

            _sessions.Clear();
        }
    }

    private InferenceSession GetSession(TensorElementType type)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(type, out var session))
            {
                var model = new OnnxModelBuilder("atelier_copy")
                    .InputWithUnknownShape("x", type)
                    .Node("Identity", ["x"], ["y"])
                    .OutputWithUnknownShape("y", type)
                    .ToBytes();
                session = InferenceSession.Load(model, options, withCopier: false);
                _sessions.Add(type, session);
            }

            return session;
        }
    }
}
