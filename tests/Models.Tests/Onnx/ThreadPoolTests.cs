using System.Diagnostics;
using Atelier.Models.Onnx;
using Atelier.Models.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Tests.Onnx;

/// <summary>
/// Many loaded models must not each bring their own thread pool: sessions created with the default options run on the
/// environment's global pools. Counted as the process's threads (alone, not beside other tests).
/// </summary>
[Collection(Name)]
public sealed class ThreadPoolTests
{
    public const string Name = "process thread count";

    private const int Sessions = 6;
    private const int OwnThreads = 3;

    [Fact]
    public void Sessions_on_the_global_pool_add_no_threads_while_sessions_with_their_own_pools_do()
    {
        var model = TestModels.Add();
        var kept = new List<InferenceSession>();
        try
        {
            Open(model, new InferenceSessionOptions(), kept); // warm: the global pools exist and ran once
            var before = ThreadCount();
            for (var i = 0; i < Sessions; i++)
            {
                Open(model, new InferenceSessionOptions(), kept);
            }

            var afterGlobal = ThreadCount();
            for (var i = 0; i < Sessions; i++)
            {
                Open(model, new InferenceSessionOptions { UseGlobalThreadPool = false, IntraOpThreads = OwnThreads }, kept);
            }

            var afterOwn = ThreadCount();

            // A few threads of .NET's own pool may come and go; a per-session intra-op pool of N threads adds N - 1.
            Assert.True(afterGlobal - before <= 2, $"{Sessions} sessions on the global pool added {afterGlobal - before} threads");
            Assert.True(afterOwn - afterGlobal >= Sessions * (OwnThreads - 1), $"{Sessions} sessions with their own pools added only {afterOwn - afterGlobal} threads");
        }
        finally
        {
            foreach (var session in kept)
            {
                session.Dispose();
            }
        }
    }

    private static void Open(byte[] model, InferenceSessionOptions options, List<InferenceSession> kept)
    {
        var session = OnnxSessions.Open(model, options).Session;
        kept.Add(session);
        using var a = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 2f, 3f }, [1, 3]);
        using var outputs = OnnxSessions.Run(session, ["a", "b"], [a, a], ["y"], CancellationToken.None);
        Assert.Equal(6f, outputs[0].GetTensorDataAsSpan<float>()[2]);
    }

    private static int ThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
}

[CollectionDefinition(ThreadPoolTests.Name, DisableParallelization = true)]
public sealed class ThreadPoolCollection
{
}
