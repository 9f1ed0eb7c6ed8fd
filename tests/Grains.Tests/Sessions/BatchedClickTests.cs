using Atelier.Grains.Models;
using Atelier.Imaging;
using Atelier.Models.Forge;

namespace Atelier.Grains.Tests.Sessions;

/// <summary>Clicks of several sessions on a batchable decoder run in shared decoder runs and answer as single clicks do.</summary>
public sealed class BatchedClickTests(GrainsFixture fixture) : IClassFixture<GrainsFixture>
{
    private const int Sessions = 6;

    [Fact]
    public async Task Concurrent_clicks_of_several_sessions_share_decoder_runs_and_get_the_masks_of_single_clicks()
    {
        // One device slot and a queue delay, so concurrent clicks wait together and form batches.
        await using var cluster = await fixture.StartClusterAsync(settings: new Dictionary<string, string?>
        {
            ["Models:Host:MaxConcurrentRuns"] = "1",
            ["Models:Host:BatchQueueDelay"] = "00:00:00.050",
        });
        var silo = cluster.Silos[0];
        var sessions = new ISessionGrain[Sessions];
        var clicks = new SegmentRequest[Sessions];
        var alone = new SegmentResult[Sessions];
        for (var i = 0; i < Sessions; i++)
        {
            // Different sizes, positions and prompt lengths.
            var (scene, _) = Scenes.Disk(240 + (20 * i), 200, 80 + (10 * i), 100, 40);
            using (scene)
            {
                sessions[i] = GrainsFixture.Session(silo);
                await sessions[i].Open(new ImageUpload(PngEncoder.Encode(scene), "image/png"), new OpenSessionOptions(DemoModelForge.SamDemoBatchId, null), default);
            }

            PromptPoint[] points = i % 2 == 0
                ? [new PromptPoint(80 + (10 * i), 100, 1)]
                : [new PromptPoint(80 + (10 * i), 100, 1), new PromptPoint(5, 5, 0), new PromptPoint(70 + (10 * i), 95, 1)];
            clicks[i] = new SegmentRequest(points, null, Multimask: i % 3 == 0, false, 0);
            alone[i] = await sessions[i].Segment(clicks[i], default);
        }

        var slot = GrainsFixture.Host(silo).Slots.Single(s => s.Id == DemoModelForge.SamDemoBatchId);
        Assert.Equal(0, Interlocked.Read(ref slot.BatchedRequests));
        var runsBefore = slot.RunsByOperation["decode"];

        var together = await Task.WhenAll(sessions.Select((session, i) => session.Segment(clicks[i], default)));

        Assert.True(Interlocked.Read(ref slot.BatchedRequests) >= 2, "concurrent clicks should have shared a decoder run");
        Assert.True(slot.RunsByOperation["decode"] - runsBefore < Sessions, $"{slot.RunsByOperation["decode"] - runsBefore} decoder runs for {Sessions} clicks");
        for (var i = 0; i < Sessions; i++)
        {
            Assert.Equal(alone[i].Masks.Count, together[i].Masks.Count);
            for (var m = 0; m < alone[i].Masks.Count; m++)
            {
                Assert.Equal(alone[i].Masks[m].Area, together[i].Masks[m].Area);
                Assert.Equal(alone[i].Masks[m].Bbox, together[i].Masks[m].Bbox);
            }

            using var expected = ImageDecoder.DecodeMask(alone[i].BestMaskPng);
            using var actual = ImageDecoder.DecodeMask(together[i].BestMaskPng);
            Assert.True(expected.Data.SequenceEqual(actual.Data), $"session {i}: the batched click's mask differs");
        }
    }
}
