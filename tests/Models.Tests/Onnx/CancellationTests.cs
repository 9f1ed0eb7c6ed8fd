using Atelier.Models.Onnx;
using Atelier.Models.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Tests.Onnx;

public sealed class CancellationTests
{
    // The model loops forever (trip count long.MaxValue), so the run can only end by being terminated:
    // no race with a fast machine finishing first. Had the token not reached ORT (RunOptions.Terminate), the
    // wait below would time out; had the run not started, there would be no inner ORT error.
    private const int Size = 64;

    [Fact]
    public async Task Cancelling_an_endless_run_terminates_it_inside_ORT()
    {
        using var session = OnnxSessions.Open(TestModels.EndlessLoop(Size), new InferenceSessionOptions()).Session;
        using var x = OrtValue.CreateTensorValueFromMemory(new float[Size * Size], [Size, Size]);
        using var cancellation = new CancellationTokenSource();

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(() =>
        {
            started.SetResult();
            using var outputs = OnnxSessions.Run(session, ["x"], [x], ["y"], cancellation.Token);
        });
        await started.Task;
        await Task.Delay(200);
        Assert.False(run.IsCompleted, "an endless loop cannot have finished on its own");
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromMinutes(1)));
        var terminated = Assert.IsType<OnnxRuntimeException>(error.InnerException);
        Assert.Contains("terminate", terminated.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(cancellation.Token, error.CancellationToken);
    }

    [Fact]
    public void Session_runs_normally_after_a_cancelled_run()
    {
        using var session = OnnxSessions.Open(TestModels.Add(), new InferenceSessionOptions()).Session;
        using var a = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 2f, 3f }, [1, 3]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => OnnxSessions.Run(session, ["a", "b"], [a, a], ["y"], cancelled.Token));
        using var live = new CancellationTokenSource();
        using var outputs = OnnxSessions.Run(session, ["a", "b"], [a, a], ["y"], live.Token);

        Assert.Equal([2f, 4f, 6f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }
}
