namespace Atelier.Onnx.Tests;

public sealed class CancellationTests
{
    // The model loops forever (trip count long.MaxValue), so the run can only end by being terminated:
    // no race with a fast machine finishing first. Had the token not reached ORT, the wait below would
    // time out; had the run not started, there would be no inner ORT error.
    private const int Size = 64;

    [Fact]
    public async Task Cancelling_a_long_run_terminates_it_inside_ORT()
    {
        _ = TestRuntime.Environment;
        using var session = InferenceSession.Load(TestModels.EndlessLoop(Size));
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
        await Task.Delay(200);
        Assert.False(run.IsCompleted, "an endless loop cannot have finished on its own");
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromMinutes(1)));
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
