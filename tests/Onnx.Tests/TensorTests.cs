namespace Atelier.Onnx.Tests;

public sealed class TensorTests
{
    [Fact]
    public void Float32_round_trips_through_an_Identity_model() => RoundTrip(TensorElementType.Float, [1.5f, -2f, 0f, float.MaxValue, float.Epsilon, -0.25f]);

    [Fact]
    public void Float16_round_trips_through_an_Identity_model() => RoundTrip(TensorElementType.Float16, [(Half)1.5f, (Half)(-2f), Half.Zero, Half.MaxValue, Half.Epsilon, (Half)0.333f]);

    [Fact]
    public void Int64_round_trips_through_an_Identity_model() => RoundTrip(TensorElementType.Int64, [long.MinValue, -1L, 0L, 1L, long.MaxValue, 1L << 40]);

    [Fact]
    public void Int32_round_trips_through_an_Identity_model() => RoundTrip(TensorElementType.Int32, [int.MinValue, -1, 0, 1, int.MaxValue, 123456]);

    [Fact]
    public void UInt8_round_trips_through_an_Identity_model() => RoundTrip(TensorElementType.UInt8, new byte[] { 0, 1, 127, 128, 254, 255 });

    [Fact]
    public void Bool_round_trips_through_an_Identity_model() => RoundTrip(TensorElementType.Bool, [true, false, false, true, true, false]);

    [Fact]
    public void Tensor_over_caller_memory_shares_it_without_copying()
    {
        _ = TestRuntime.Environment;
        var buffer = new float[] { 1f, 2f, 3f, 4f };
        using var tensor = OrtValue.CreateTensor(buffer, [2, 2]);

        buffer[0] = 42f;
        tensor.GetTensorSpan<float>()[3] = -7f;

        Assert.Equal(42f, tensor.GetTensorSpan<float>()[0]);
        Assert.Equal(-7f, buffer[3]);
    }

    [Fact]
    public void Tensor_over_a_slice_of_caller_memory_covers_only_that_slice()
    {
        _ = TestRuntime.Environment;
        var buffer = new long[] { 9, 1, 2, 3, 9 };
        using var tensor = OrtValue.CreateTensor(buffer.AsMemory(1, 3), [3]);

        Assert.Equal([1L, 2L, 3L], tensor.GetTensorSpan<long>().ToArray());
        Assert.Equal(3 * sizeof(long), tensor.ByteCount);
    }

    [Fact]
    public void ORT_allocated_tensor_is_writable_and_reports_its_size()
    {
        _ = TestRuntime.Environment;
        using var tensor = OrtValue.Allocate(TensorElementType.Float16, [3, 5]);

        tensor.GetTensorSpan<Half>().Fill((Half)2f);

        Assert.Equal(15, tensor.ElementCount);
        Assert.Equal(15 * 2, tensor.ByteCount);
        Assert.All(tensor.GetTensorSpan<Half>().ToArray(), v => Assert.Equal((Half)2f, v));
        Assert.Equal(new MemoryLocation("Cpu", 0), tensor.Location);
    }

    [Fact]
    public void Byte_count_is_element_count_times_element_size_for_each_type()
    {
        _ = TestRuntime.Environment;
        foreach (var (type, size) in new[] { (TensorElementType.Float, 4), (TensorElementType.Int64, 8), (TensorElementType.Int32, 4), (TensorElementType.UInt8, 1), (TensorElementType.Bool, 1), (TensorElementType.Float16, 2) })
        {
            using var tensor = OrtValue.Allocate(type, [2, 3, 4]);
            Assert.Equal(24L * size, tensor.ByteCount);
            Assert.Equal(24L * TensorElementTypes.SizeOf(type), tensor.ByteCount);
        }
    }

    [Fact]
    public void Reading_with_the_wrong_element_type_is_refused()
    {
        _ = TestRuntime.Environment;
        using var tensor = OrtValue.CreateTensor(new[] { 1, 2 }, [2]);

        var error = Assert.Throws<InvalidOperationException>(() => tensor.GetTensorSpan<float>().Length);

        Assert.Contains("Int32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_that_does_not_match_the_buffer_is_refused()
    {
        _ = TestRuntime.Environment;

        Assert.Throws<ArgumentException>(() => OrtValue.CreateTensor(new float[5], [2, 3]));
    }

    [Fact]
    public void Disposed_tensor_is_released_and_cannot_be_read()
    {
        _ = TestRuntime.Environment;
        var before = OnnxRuntimeEnvironment.LiveHandleCount;
        var tensor = OrtValue.CreateTensor(new float[4], [4]);
        Assert.Equal(before + 1, OnnxRuntimeEnvironment.LiveHandleCount);

        tensor.Dispose();

        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
        Assert.Throws<ObjectDisposedException>(() => tensor.ByteCount);
    }

    private static void RoundTrip<T>(TensorElementType type, T[] values)
        where T : unmanaged
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.Identity(type));
        Assert.Equal(type, session.Inputs[0].ElementType);
        using var x = OrtValue.CreateTensor(values, [2, 3]);

        using var y = session.Run(["x"], [x], ["y"])[0];

        Assert.Equal(type, y.ElementType);
        Assert.Equal(values, y.GetTensorSpan<T>().ToArray());
    }
}
