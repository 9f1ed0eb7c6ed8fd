namespace Atelier.Onnx.Tests;

public sealed class SessionTests
{
    [Fact]
    public void Add_model_adds_elementwise_exactly()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.Add());
        using var a = OrtValue.CreateTensor(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, [2, 3]);
        using var b = OrtValue.CreateTensor(new[] { 0.5f, -2f, 10f, 0.25f, 0f, -6f }, [2, 3]);

        var outputs = session.Run(["a", "b"], [a, b], ["y"]);
        using var y = outputs[0];

        Assert.Equal([1.5f, 0f, 13f, 4.25f, 5f, 0f], y.GetTensorSpan<float>().ToArray());
        Assert.Equal([2L, 3L], y.Shape.ToArray());
        Assert.Equal(TensorElementType.Float, y.ElementType);
    }

    [Fact]
    public void MatMul_model_multiplies_by_its_initializer_exactly()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.MatMul());
        using var x = OrtValue.CreateTensor(new[] { 1f, 0f, 2f, -1f, 3f, 0.5f }, [2, 3]);

        using var y = session.Run(["x"], [x], ["y"])[0];

        // [1 0 2] · [[1 2][3 4][5 6]] = [11 14]; [-1 3 0.5] · W = [10.5 13]
        Assert.Equal([11f, 14f, 10.5f, 13f], y.GetTensorSpan<float>().ToArray());
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 3, 5)]
    [InlineData(4, 7, 2)]
    public void Dynamic_shape_model_accepts_any_shape_and_reports_it_on_the_output(int batch, int height, int width)
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.AddOne());
        var data = Enumerable.Range(0, batch * height * width).Select(i => (float)i).ToArray();
        using var x = OrtValue.CreateTensor(data, [batch, height, width]);

        using var y = session.Run(["x"], [x], ["y"])[0];

        Assert.Equal([batch, height, width], y.Shape.ToArray());
        Assert.Equal(data.Select(v => v + 1f).ToArray(), y.GetTensorSpan<float>().ToArray());
    }

    [Fact]
    public void Metadata_reports_names_types_and_symbolic_dimensions()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.AddOne());

        var input = Assert.Single(session.Inputs);
        var output = Assert.Single(session.Outputs);

        Assert.Equal("x", input.Name);
        Assert.Equal(TensorElementType.Float, input.ElementType);
        Assert.Equal([-1L, -1L, -1L], input.Shape);
        Assert.Equal(["batch", "height", "width"], input.SymbolicDimensions);
        Assert.Equal("y", output.Name);
        Assert.Equal(["batch", "height", "width"], output.SymbolicDimensions);
    }

    [Fact]
    public void Metadata_mixes_fixed_and_symbolic_dimensions()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.Add());

        Assert.Equal([-1L, 3L], session.Inputs[0].Shape);
        Assert.Equal(["N", ""], session.Inputs[0].SymbolicDimensions);
        Assert.Equal("a: Float[N,3]", session.Inputs[0].ToString());
    }

    [Fact]
    public void Session_from_a_file_path_matches_the_session_from_bytes()
    {
        _ = TestRuntime.Environment;
        var path = Path.Combine(Path.GetTempPath(), $"atelier-matmul-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, TestModels.MatMul());
        try
        {
            using var fromPath = InferenceSession.Load(path);
            using var fromBytes = InferenceSession.Load(TestModels.MatMul());
            using var x = OrtValue.CreateTensor(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, [2, 3]);

            using var a = fromPath.Run(["x"], [x], ["y"])[0];
            using var b = fromBytes.Run(["x"], [x], ["y"])[0];

            Assert.Equal(b.GetTensorSpan<float>().ToArray(), a.GetTensorSpan<float>().ToArray());
            Assert.Equal(fromBytes.InitializerBytes, fromPath.InitializerBytes);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Initializer_bytes_sum_the_model_weights()
    {
        _ = TestRuntime.Environment;
        var model = new Writer.OnnxModelBuilder("weights")
            .Input("x", TensorElementType.Float, 2, 2)
            .Initializer("w", [1f, 2f, 3f, 4f], 2, 2)
            .Initializer("shape", [4L, 1L, 1L], 3)
            .Node("Add", ["x", "w"], ["s"])
            .Node("Reshape", ["s", "shape"], ["y"])
            .Output("y", TensorElementType.Float, 4, 1, 1)
            .ToBytes();

        using var session = InferenceSession.Load(model);

        Assert.Equal((4 * sizeof(float)) + (3 * sizeof(long)), session.InitializerBytes);
    }

    [Fact]
    public void Session_options_are_accepted_by_ORT()
    {
        _ = TestRuntime.Environment;
        var options = new InferenceSessionOptions
        {
            IntraOpThreads = 1,
            InterOpThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.Basic,
            ExecutionMode = ExecutionMode.Parallel,
            EnableCpuMemoryArena = false,
            EnableMemoryPattern = false,
        };
        using var session = InferenceSession.Load(TestModels.MatMul(), options);
        using var x = OrtValue.CreateTensor(new[] { 1f, 0f, 0f, 0f, 1f, 0f }, [2, 3]);

        using var y = session.Run(["x"], [x], ["y"])[0];

        Assert.Equal(ExecutionProvider.Cpu, session.ExecutionProvider);
        Assert.Equal([1f, 2f, 3f, 4f], y.GetTensorSpan<float>().ToArray());
    }

    [Fact]
    public async Task Concurrent_runs_on_one_session_each_get_their_own_result()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.Add(), new InferenceSessionOptions { IntraOpThreads = 1 });
        var before = OnnxRuntimeEnvironment.LiveHandleCount;

        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var value = (worker * 1000) + i;
                using var a = OrtValue.CreateTensor(new[] { (float)value, 1f, 2f }, [1, 3]);
                using var b = OrtValue.CreateTensor(new[] { 0.5f, (float)value, -2f }, [1, 3]);
                using var y = session.Run(["a", "b"], [a, b], ["y"])[0];
                Assert.Equal([value + 0.5f, value + 1f, 0f], y.GetTensorSpan<float>().ToArray());
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Negative_thread_count_is_rejected_before_ORT_is_called()
    {
        _ = TestRuntime.Environment;

        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceSession.Load(TestModels.Add(), new InferenceSessionOptions { IntraOpThreads = -1 }));
    }
}
