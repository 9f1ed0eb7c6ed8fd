namespace Atelier.Onnx.Tests;

// Each error must surface ORT's own message and code, and leave no native object behind.
public sealed class ErrorTests
{
    [Fact]
    public void Corrupt_model_file_reports_ORT_protobuf_error_without_leaking()
    {
        _ = TestRuntime.Environment;
        var path = Path.Combine(Path.GetTempPath(), $"atelier-corrupt-{Guid.NewGuid():N}.onnx");
        var bytes = TestModels.MatMul();
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray().Concat(new byte[] { 0xFF, 0xFF, 0xFF }).ToArray());
        var before = OnnxRuntimeEnvironment.LiveHandleCount;
        try
        {
            var error = Assert.Throws<OnnxRuntimeException>(() => InferenceSession.Load(path));

            Assert.Equal(OrtErrorCode.InvalidProtobuf, error.ErrorCode);
            Assert.Contains("Protobuf parsing failed", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_model_file_reports_ORT_error_without_leaking()
    {
        _ = TestRuntime.Environment;
        var before = OnnxRuntimeEnvironment.LiveHandleCount;

        var error = Assert.Throws<OnnxRuntimeException>(() => InferenceSession.Load(Path.Combine(Path.GetTempPath(), "atelier-no-such-model.onnx")));

        Assert.Equal(OrtErrorCode.NoSuchFile, error.ErrorCode);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Wrong_input_name_reports_ORT_message_without_leaking()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.MatMul());
        using var x = OrtValue.CreateTensor(new float[6], [2, 3]);
        var before = OnnxRuntimeEnvironment.LiveHandleCount;

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["nope"], [x], ["y"]));

        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("Invalid input name: nope", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Wrong_output_name_reports_ORT_message_without_leaking()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.MatMul());
        using var x = OrtValue.CreateTensor(new float[6], [2, 3]);
        var before = OnnxRuntimeEnvironment.LiveHandleCount;

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["x"], [x], ["missing_output"]));

        Assert.Contains("missing_output", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Wrong_shape_reports_ORT_message_without_leaking()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.MatMul());
        using var x = OrtValue.CreateTensor(new float[8], [2, 4]);
        var before = OnnxRuntimeEnvironment.LiveHandleCount;

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["x"], [x], ["y"]));

        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("Got invalid dimensions for input: x", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Wrong_dtype_reports_ORT_message_without_leaking()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.MatMul());
        using var x = OrtValue.CreateTensor(new long[6], [2, 3]);
        var before = OnnxRuntimeEnvironment.LiveHandleCount;

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["x"], [x], ["y"]));

        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("Unexpected input data type", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Invalid_graph_reports_ORT_message_without_leaking()
    {
        _ = TestRuntime.Environment;
        var model = new Writer.OnnxModelBuilder("broken")
            .Input("x", TensorElementType.Float, 2)
            .Node("NoSuchOperator", ["x"], ["y"])
            .Output("y", TensorElementType.Float, 2)
            .ToBytes();
        var before = OnnxRuntimeEnvironment.LiveHandleCount;

        var error = Assert.Throws<OnnxRuntimeException>(() => InferenceSession.Load(model));

        Assert.Contains("NoSuchOperator", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Mismatched_name_and_value_counts_are_rejected()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.MatMul());
        using var x = OrtValue.CreateTensor(new float[6], [2, 3]);

        Assert.Throws<ArgumentException>(() => session.Run(["x", "z"], [x], ["y"]));
    }
}
