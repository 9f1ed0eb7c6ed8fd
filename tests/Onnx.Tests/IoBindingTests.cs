namespace Atelier.Onnx.Tests;

// On this machine the "device" is the CPU: the same calls keep a SAM embedding on the GPU in production.
public sealed class IoBindingTests
{
    [Fact]
    public void Output_bound_to_the_device_is_allocated_by_ORT_and_holds_the_result()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.AddOne());
        using var binding = session.CreateIoBinding();
        using var x = OrtValue.CreateTensor(new[] { 1f, 2f, 3f, 4f }, [1, 2, 2]);

        binding.BindInput("x", x);
        binding.BindOutputToDevice("y", OrtMemoryInfo.Cpu);
        session.RunWithBinding(binding);
        binding.SynchronizeOutputs();
        var outputs = binding.GetOutputValues();
        using var y = Assert.Single(outputs);

        Assert.Equal(new MemoryLocation("Cpu", 0), y.Location);
        Assert.Equal([1L, 2L, 2L], y.Shape.ToArray());
        Assert.Equal([2f, 3f, 4f, 5f], y.GetTensorSpan<float>().ToArray());
    }

    [Fact]
    public void Device_resident_output_is_reused_as_the_input_of_later_runs()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.AddOne());
        using var x = OrtValue.CreateTensor(new[] { 0f, 10f }, [1, 1, 2]);
        OrtValue current;
        using (var first = session.CreateIoBinding())
        {
            first.BindInput("x", x);
            first.BindOutputToDevice("y", OrtMemoryInfo.Cpu);
            session.RunWithBinding(first);
            current = first.GetOutputValues()[0];
        }

        // The binding is gone; the returned value keeps the output memory alive for the next runs.
        for (var run = 0; run < 3; run++)
        {
            using var binding = session.CreateIoBinding();
            binding.BindInput("x", current);
            binding.BindOutputToDevice("y", OrtMemoryInfo.Cpu);
            session.RunWithBinding(binding);
            var next = binding.GetOutputValues()[0];
            current.Dispose();
            current = next;
        }

        using (current)
        {
            Assert.Equal([4f, 14f], current.GetTensorSpan<float>().ToArray());
        }
    }

    [Fact]
    public void Output_bound_to_a_preallocated_tensor_is_written_in_place()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.MatMul());
        using var binding = session.CreateIoBinding();
        using var x = OrtValue.CreateTensor(new[] { 1f, 0f, 0f, 0f, 0f, 1f }, [2, 3]);
        var result = new float[4];
        using var y = OrtValue.CreateTensor(result, [2, 2]);

        binding.BindInput("x", x);
        binding.BindOutput("y", y);
        session.RunWithBinding(binding);

        Assert.Equal([1f, 2f, 5f, 6f], result);
    }

    [Fact]
    public void Session_copies_a_tensor_to_its_device_and_back_through_ORT()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.AddOne());
        using var device = session.AllocateTensor(OrtMemoryInfo.Cpu, TensorElementType.Float, [1, 2, 3]);
        var hostData = new[] { 1f, 2f, 3f, 4f, 5f, 6f };
        using var host = OrtValue.CreateTensor(hostData, [1, 2, 3]);
        var back = new float[6];
        using var hostBack = OrtValue.CreateTensor(back, [1, 2, 3]);

        session.CopyTensor(host, device);
        using var y = session.Run(["x"], [device], ["y"])[0];
        session.CopyTensor(y, hostBack);

        Assert.Equal(hostData, device.GetTensorSpan<float>().ToArray());
        Assert.Equal([2f, 3f, 4f, 5f, 6f, 7f], back);
    }

    [Fact]
    public void Session_copies_every_supported_element_type()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.AddOne());
        using var source = OrtValue.CreateTensor(new long[] { long.MinValue, 7, long.MaxValue }, [3]);
        var target = new long[3];
        using var destination = OrtValue.CreateTensor(target, [3]);

        session.CopyTensor(source, destination);

        Assert.Equal([long.MinValue, 7, long.MaxValue], target);
    }

    [Fact]
    public void Host_tensor_copies_to_another_host_tensor()
    {
        _ = TestRuntime.Environment;
        using var source = OrtValue.CreateTensor(new Half[] { (Half)1, (Half)2, (Half)3, (Half)4 }, [2, 2]);
        using var destination = OrtValue.Allocate(TensorElementType.Float16, [2, 2]);

        source.CopyTo(destination);

        Assert.Equal(source.GetTensorSpan<Half>().ToArray(), destination.GetTensorSpan<Half>().ToArray());
    }

    [Fact]
    public void Copy_to_a_tensor_of_another_shape_is_refused()
    {
        _ = TestRuntime.Environment;
        using var a = OrtValue.CreateTensor(new float[6], [2, 3]);
        using var b = OrtValue.CreateTensor(new float[6], [3, 2]);

        Assert.Throws<ArgumentException>(() => a.CopyTo(b));
        using var session = InferenceSession.Load(TestModels.AddOne());
        Assert.Throws<ArgumentException>(() => session.CopyTensor(a, b));
    }

    [Fact]
    public void Binding_an_unknown_input_reports_ORT_message_and_leaks_nothing()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.AddOne());
        using var x = OrtValue.CreateTensor(new[] { 1f }, [1, 1, 1]);
        var before = OnnxRuntimeEnvironment.LiveHandleCount;
        using (var binding = session.CreateIoBinding())
        {
            var error = Assert.Throws<OnnxRuntimeException>(() => binding.BindInput("not_an_input", x));
            Assert.Contains("not_an_input", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Session_binding_and_outputs_release_every_native_object()
    {
        _ = TestRuntime.Environment;
        var before = OnnxRuntimeEnvironment.LiveHandleCount;
        using (var session = InferenceSession.Load(TestModels.AddOne()))
        using (var binding = session.CreateIoBinding())
        using (var x = OrtValue.CreateTensor(new[] { 1f }, [1, 1, 1]))
        using (var allocated = session.AllocateTensor(OrtMemoryInfo.Cpu, TensorElementType.Float, [1, 1, 1]))
        {
            session.CopyTensor(x, allocated);
            binding.BindInput("x", x);
            binding.BindOutputToDevice("y", OrtMemoryInfo.Cpu);
            session.RunWithBinding(binding);
            foreach (var output in binding.GetOutputValues())
            {
                output.Dispose();
            }

            binding.ClearInputs();
            binding.ClearOutputs();
            Assert.True(OnnxRuntimeEnvironment.LiveHandleCount > before);
        }

        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }
}
