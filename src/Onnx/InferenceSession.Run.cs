using Atelier.Onnx.Native;

namespace Atelier.Onnx;

public sealed unsafe partial class InferenceSession
{
    private const int StackLimit = 16;

    /// <summary>
    /// Runs the model: <paramref name="inputs"/>[i] feeds <paramref name="inputNames"/>[i]; returns one new
    /// tensor per <paramref name="outputNames"/> entry, owned by the caller. Cancelling the token
    /// terminates the run inside ORT (<c>RunOptionsSetTerminate</c>).
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ORT rejected an input (unknown name, wrong shape or type) or failed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the run.</exception>
    public OrtValue[] Run(ReadOnlySpan<string> inputNames, ReadOnlySpan<OrtValue> inputs, ReadOnlySpan<string> outputNames, CancellationToken cancellationToken = default)
    {
        if (inputNames.Length != inputs.Length)
        {
            throw new ArgumentException($"{inputNames.Length} input names for {inputs.Length} inputs.", nameof(inputs));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var inputCount = inputs.Length;
        var outputCount = outputNames.Length;
        var inputNamePtrs = inputCount <= StackLimit ? stackalloc nint[inputCount] : new nint[inputCount];
        var inputValues = inputCount <= StackLimit ? stackalloc nint[inputCount] : new nint[inputCount];
        var outputNamePtrs = outputCount <= StackLimit ? stackalloc nint[outputCount] : new nint[outputCount];
        var outputValues = outputCount <= StackLimit ? stackalloc nint[outputCount] : new nint[outputCount];
        inputNamePtrs.Clear();
        outputNamePtrs.Clear();
        outputValues.Clear();
        var anyTemporary = false;
        var referenced = 0;
        OrtRunOptionsHandle? runOptions = null;
        CancellationTokenRegistration registration = default;
        var sessionAdded = false;
        nint status;
        try
        {
            _handle.DangerousAddRef(ref sessionAdded);
            for (var i = 0; i < inputCount; i++)
            {
                inputNamePtrs[i] = (nint)_names.Get(inputNames[i], out var temporary);
                anyTemporary |= temporary;
                var added = false;
                inputs[i].Handle.DangerousAddRef(ref added);
                referenced++;
                inputValues[i] = inputs[i].Handle.DangerousGetHandle();
            }

            for (var i = 0; i < outputCount; i++)
            {
                outputNamePtrs[i] = (nint)_names.Get(outputNames[i], out var temporary);
                anyTemporary |= temporary;
            }

            if (cancellationToken.CanBeCanceled)
            {
                runOptions = CreateRunOptions();
                registration = cancellationToken.UnsafeRegister(static state => Terminate((OrtRunOptionsHandle)state!), runOptions);
            }

            fixed (nint* inNames = inputNamePtrs)
            fixed (nint* inValues = inputValues)
            fixed (nint* outNames = outputNamePtrs)
            fixed (nint* outValues = outputValues)
            {
                status = Api.Run(
                    _handle.DangerousGetHandle(), runOptions?.DangerousGetHandle() ?? 0,
                    (byte**)inNames, inValues, (nuint)inputCount, (byte**)outNames, (nuint)outputCount, outValues);
            }
        }
        finally
        {
            registration.Dispose();
            runOptions?.Dispose();
            for (var i = 0; i < referenced; i++)
            {
                inputs[i].Handle.DangerousRelease();
            }

            if (anyTemporary)
            {
                _names.FreeTemporaries(inputNames, inputNamePtrs);
                _names.FreeTemporaries(outputNames, outputNamePtrs);
            }
            if (sessionAdded)
            {
                _handle.DangerousRelease();
            }
        }

        if (status != 0)
        {
            var error = OrtStatus.ToException(status);
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The run was terminated because its token was cancelled.", error, cancellationToken);
            }

            throw error;
        }

        var results = new OrtValue[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            results[i] = new OrtValue(new OrtValueHandle(outputValues[i]));
        }

        return results;
    }

    /// <summary>
    /// Runs the model on the inputs and outputs bound in <paramref name="binding"/>. Outputs bound to a
    /// device stay there; read them with <see cref="OrtIoBinding.GetOutputValues"/>.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ORT rejected the binding or failed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the run.</exception>
    public void RunWithBinding(OrtIoBinding binding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(binding);
        if (!ReferenceEquals(binding.Session, this))
        {
            throw new ArgumentException("The binding belongs to another session.", nameof(binding));
        }

        cancellationToken.ThrowIfCancellationRequested();
        OrtRunOptionsHandle? runOptions = null;
        CancellationTokenRegistration registration = default;
        nint status;
        try
        {
            // RunWithBinding requires run options (unlike Run).
            runOptions = CreateRunOptions();
            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.UnsafeRegister(static state => Terminate((OrtRunOptionsHandle)state!), runOptions);
            }

            using var session = new HandleUse(_handle);
            using var bindingUse = new HandleUse(binding.Handle);
            status = Api.RunWithBinding(session.Raw, runOptions.DangerousGetHandle(), bindingUse.Raw);
        }
        finally
        {
            registration.Dispose();
            runOptions?.Dispose();
        }

        if (status != 0)
        {
            var error = OrtStatus.ToException(status);
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The run was terminated because its token was cancelled.", error, cancellationToken);
            }

            throw error;
        }
    }

    private OrtRunOptionsHandle CreateRunOptions()
    {
        nint raw;
        OrtStatus.Check(Api.CreateRunOptions(&raw));
        return new OrtRunOptionsHandle(raw);
    }

    /// <summary>Asks ORT to stop the run using these options; called from the token's callback.</summary>
    private static void Terminate(OrtRunOptionsHandle runOptions)
    {
        using var use = new HandleUse(runOptions);
        OrtStatus.Check(OrtLibrary.CurrentApi.RunOptionsSetTerminate(use.Raw));
    }
}
