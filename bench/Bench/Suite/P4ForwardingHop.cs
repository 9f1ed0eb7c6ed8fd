using System.Diagnostics;
using System.Globalization;
using Atelier.Bench.Infrastructure;

namespace Atelier.Bench.Suite;

/// <summary>
/// P4: two real Orleans silo processes in cluster mode (<c>Silo:Mode = redis</c>, a real <c>redis-server</c> on a
/// free loopback port for membership and the session store). One <c>sam-demo</c> session is opened through silo a
/// (our placement director picks its owner). Then, call by call, alternating: a click sent to
/// the owner and the same click sent to the other silo (a grain call to the owner over Orleans' silo-to-silo connection; the answer's
/// <c>X-Atelier-Silo</c> must name the owner), and a session read (<c>GET</c>, no model run) both ways,
/// which isolates the hop. Target: p50 of the click via the non-owner ≤ p50 via the owner + 1 ms.
/// </summary>
internal sealed class P4ForwardingHop : ISuiteScenario
{
    private const string Model = "sam-demo";

    public string Id => "P4";

    public string What => "click via a non-owner silo (Orleans silo-to-silo grain call) vs via the owner, 2 silo processes + redis-server";

    public async Task<ScenarioResult> RunAsync(SuiteContext context, CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken).ConfigureAwait(false);
        context.Log($"P4 redis-server on port {redis.Port}; starting silos a and b");
        await using var a = await StartSiloAsync(context, "a", redis, cancellationToken).ConfigureAwait(false);
        await using var b = await StartSiloAsync(context, "b", redis, cancellationToken).ConfigureAwait(false);
        await SiloProcess.WaitForClusterAsync([a, b], cancellationToken).ConfigureAwait(false);

        var (id, ownerName) = await SessionApi.OpenAsync(a.Http, context.Upload, Model, cancellationToken).ConfigureAwait(false);
        var (owner, other) = ownerName == b.Name ? (b, a) : (a, b);
        if (ownerName != owner.Name)
        {
            throw new InvalidOperationException($"the session's owner '{ownerName}' is neither silo a nor b");
        }

        var (x, y) = context.Click;
        for (var i = 0; i < 5; i++)
        {
            await SessionApi.SegmentAsync(owner.Http, id, x, y, cancellationToken).ConfigureAwait(false);
            await SessionApi.SegmentAsync(other.Http, id, x, y, cancellationToken).ConfigureAwait(false);
            await SessionApi.GetAsync(other.Http, id, cancellationToken).ConfigureAwait(false);
        }

        var calls = context.Options.HopCalls;
        double[] clickOwner = new double[calls], clickOther = new double[calls], readOwner = new double[calls], readOther = new double[calls];
        var forwardedToOwner = 0;
        for (var i = 0; i < calls; i++)
        {
            // Alternate which path goes first so neither always follows the other.
            if (i % 2 == 0)
            {
                clickOwner[i] = await SamRuns.TimeAsync(() => SessionApi.SegmentAsync(owner.Http, id, x, y, cancellationToken)).ConfigureAwait(false);
                (clickOther[i], var answered) = await TimeClickAsync(other, id, x, y, cancellationToken).ConfigureAwait(false);
                forwardedToOwner += answered == owner.Name ? 1 : 0;
            }
            else
            {
                (clickOther[i], var answered) = await TimeClickAsync(other, id, x, y, cancellationToken).ConfigureAwait(false);
                forwardedToOwner += answered == owner.Name ? 1 : 0;
                clickOwner[i] = await SamRuns.TimeAsync(() => SessionApi.SegmentAsync(owner.Http, id, x, y, cancellationToken)).ConfigureAwait(false);
            }

            readOwner[i] = await SamRuns.TimeAsync(() => SessionApi.GetAsync(owner.Http, id, cancellationToken)).ConfigureAwait(false);
            readOther[i] = await SamRuns.TimeAsync(() => SessionApi.GetAsync(other.Http, id, cancellationToken)).ConfigureAwait(false);
        }

        await SessionApi.DeleteAsync(owner.Http, id, cancellationToken).ConfigureAwait(false);
        if (forwardedToOwner != calls)
        {
            throw new InvalidOperationException($"only {forwardedToOwner} of {calls} clicks via the non-owner were answered by the owner");
        }

        var (co, ct, ro, rt) = (Stats.Of(clickOwner), Stats.Of(clickOther), Stats.Of(readOwner), Stats.Of(readOther));
        var delta = ct.Median - co.Median;
        return new ScenarioResult(Id, What, Math.Round(delta, 3), "ms (p50 via non-owner − p50 via owner, click)", "≤ +1 ms p50", delta <= 1.0, new Dictionary<string, object>
        {
            ["model"] = Model,
            ["image"] = string.Create(CultureInfo.InvariantCulture, $"{context.UploadName} ({context.Width}x{context.Height}), mask answered as PNG"),
            ["clickViaOwnerP50Ms"] = Math.Round(co.Median, 3),
            ["clickViaOwnerP99Ms"] = Math.Round(co.P99, 3),
            ["clickViaNonOwnerP50Ms"] = Math.Round(ct.Median, 3),
            ["clickViaNonOwnerP99Ms"] = Math.Round(ct.P99, 3),
            ["readViaOwnerP50Ms"] = Math.Round(ro.Median, 3),
            ["readViaNonOwnerP50Ms"] = Math.Round(rt.Median, 3),
            ["readDeltaP50Ms"] = Math.Round(rt.Median - ro.Median, 3),
            ["clickPairedMedianDeltaMs"] = Math.Round(Stats.PairedMedian(clickOther, clickOwner), 3),
            ["readPairedMedianDeltaMs"] = Math.Round(Stats.PairedMedian(readOther, readOwner), 3),
            ["readViaNonOwnerP99Ms"] = Math.Round(rt.P99, 3),
            ["callsPerPath"] = calls,
            ["owner"] = owner.Name,
        });
    }

    private static async Task<(double Ms, string? Silo)> TimeClickAsync(SiloProcess silo, string id, float x, float y, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var answered = await SessionApi.SegmentAsync(silo.Http, id, x, y, cancellationToken).ConfigureAwait(false);
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, answered);
    }

    private static Task<SiloProcess> StartSiloAsync(SuiteContext context, string name, RedisServer redis, CancellationToken cancellationToken)
    {
        // The product's membership settings: a silo that stops answering probes for ProbeTimeout x MissedProbesLimit (6 s)
        // is declared dead; nothing in this scenario stops a silo.
        var settings = SiloProcess.ClusterSettings(redis, keyPrefix: "bench");
        return SiloProcess.StartAsync(name, context.Bench.CacheRoot, settings, cancellationToken);
    }
}
