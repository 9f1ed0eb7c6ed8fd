namespace Atelier.Onnx.Tests;

public sealed class CancellationTests
{
    // 1,500 chained 512x512 MatMuls: several seconds of work on two cores, so the run is still
    // inside ORT when the token fires 500 ms after the run's thread started. Had the run completed,
    // Run would have returned a result; had it not started, there would be no inner ORT error.
    private const int Size = 512;
    private const int Steps = 1500;

    [Fact]
    public async Task Cancelling_a_long_run_terminates_it_inside_ORT()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.SlowChain(Size, Steps), new InferenceSessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.DisableAll });
        using var x = OrtValue.CreateTensor(new float[Size * Size], [Size, Size]);
        using var cancellation = new CancellationTokenSource();
        var before = OnnxRuntimeEnvironment.LiveHandleCount;

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(() =>
        {
            started.SetResult();
            return session.Run(["x"], [x], ["y"], cancellation.Token);
        });
        await started.Task;
        await Task.Delay(500);
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var terminated = Assert.IsType<OnnxRuntimeException>(error.InnerException);
        Assert.Contains("terminate", terminated.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Session_runs_normally_after_a_cancelled_run()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.SlowChain(4, 3));
        using var x = OrtValue.CreateTensor(Enumerable.Range(0, 16).Select(i => (float)i).ToArray(), [4, 4]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => session.Run(["x"], [x], ["y"], cancelled.Token));
        using var live = new CancellationTokenSource();
        using var y = session.Run(["x"], [x], ["y"], live.Token)[0];

        Assert.Equal(Enumerable.Range(0, 16).Select(i => (float)i).ToArray(), y.GetTensorSpan<float>().ToArray());
    }
}
