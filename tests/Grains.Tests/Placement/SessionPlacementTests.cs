using Atelier.Grains.Tests.Sessions;
using Atelier.Grains.Tests.Support;
using Atelier.Grains.Placement;
using Atelier.Imaging;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Grains.Tests.Placement;

/// <summary>Placement through Orleans (three in-process silos): the director reads the device figures every silo publishes.</summary>
public sealed class SessionPlacementTests(GrainsFixture fixture) : IClassFixture<GrainsFixture>
{
    [Fact]
    public async Task New_sessions_land_on_the_silo_that_holds_their_segmenter_resident()
    {
        await using var cluster = await fixture.StartClusterAsync(3, _ => new Dictionary<string, string?> { ["Placement:RefreshPeriod"] = "00:00:00.100" });
        var (caller, holder) = (cluster.Silos[0], cluster.Silos[1]);
        await GrainsFixture.Host(holder).LoadAsync("sam-demo", holder.Name, default);
        await WaitUntilAsync(() => cluster.Silos.All(s => s.Services.GetRequiredService<DeviceFigures>().Get(holder.Address)?.ResidentModels.Contains("sam-demo") == true));
        var (scene, _) = Scenes.Disk(96, 64, 40, 30, 12);
        using var image = scene;
        var png = PngEncoder.Encode(image);

        for (var i = 0; i < 6; i++)
        {
            CallContext.Set(CallContext.Model, "sam-demo");
            try
            {
                var opened = await GrainsFixture.Session(caller).Open(new ImageUpload(png, null), new OpenSessionOptions("sam-demo", null), default);
                Assert.Equal(holder.Name, opened.Silo);
            }
            finally
            {
                RequestContext.Clear();
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; !condition(); attempt++)
        {
            Assert.True(attempt < 200, "the other silos never saw the holder's device figures");
            await Task.Delay(50);
        }
    }
}
