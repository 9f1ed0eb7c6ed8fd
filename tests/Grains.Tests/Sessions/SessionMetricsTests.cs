using System.Diagnostics.Metrics;
using Atelier.Grains.Sessions;
using Atelier.Grains.Hosting;
using Atelier.Grains.Storage;
using Atelier.Imaging;
using Atelier.Grains.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Grains.Tests.Sessions;

/// <summary>The session instruments (meter <c>Atelier.Sessions</c>) of each silo, read with a real <see cref="MeterListener"/>.</summary>
public sealed class SessionMetricsTests(GrainsFixture fixture) : IClassFixture<GrainsFixture>
{
    private const int W = 200, H = 160;

    [Fact]
    public async Task A_session_restored_on_another_silo_counts_as_rehomed_there_and_its_cache_bytes_follow_it()
    {
        var store = new InMemorySessionStore(); // shared: the durable part of a session outlives its silo
        await using var cluster = await fixture.StartClusterAsync(2, services: s => s.AddSingleton<ISessionStore>(store));
        var (scene, _) = Scenes.Disk(W, H, 90, 80, 30);
        using var image = scene;
        var id = Guid.NewGuid().ToString("N");
        var opened = await cluster.Silos[0].GrainFactory.GetGrain<ISessionGrain>(id)
            .Open(new ImageUpload(PngEncoder.Encode(image), null), new OpenSessionOptions(null, null), default);
        var owner = cluster.Silos.Single(s => s.Name == opened.Silo);
        var survivor = cluster.Silos.Single(s => s != owner);

        var ownerFigures = SessionFigures.Read(owner);
        Assert.Equal(1, ownerFigures["atelier.sessions.opened"]);
        Assert.Equal(1, ownerFigures["atelier.sessions.active"]);
        Assert.True(ownerFigures["atelier.session.cache.usage/device"] > 0); // the embedding of the upload

        await cluster.KillSiloAsync(owner); // a stop without drain: the session is restored from the store
        var restored = survivor.GrainFactory.GetGrain<ISessionGrain>(id);
        await restored.Segment(new SegmentRequest([new PromptPoint(90, 80, 1)], null, false, false, 0), default); // re-encodes here

        var here = SessionFigures.Read(survivor);
        Assert.Equal(1, here["atelier.sessions.rehomed"]);
        Assert.Equal(0, here["atelier.sessions.opened"]);
        Assert.Equal(1, here["atelier.sessions.active"]);
        Assert.Equal(ownerFigures["atelier.session.cache.usage/device"], here["atelier.session.cache.usage/device"]);
        Assert.Equal(0, here["atelier.session.cache.usage/host"]);
        Assert.True(here["atelier.session.cache.budget/device"] >= here["atelier.session.cache.usage/device"]);

        await restored.Close(default);
        var closed = SessionFigures.Read(survivor);
        Assert.Equal(1, closed["atelier.sessions.closed"]);
        Assert.Equal(0, closed["atelier.sessions.active"]);
        Assert.Equal(0, closed["atelier.session.cache.usage/device"]);
    }

    /// <summary>One collection of a silo's observable session instruments: name (and <c>/tier</c>) → value.</summary>
    private static class SessionFigures
    {
        public static Dictionary<string, double> Read(GrainSilo silo)
        {
            var factory = silo.Services.GetRequiredService<IMeterFactory>();
            _ = silo.Services.GetRequiredService<SessionRegistry>(); // its constructor publishes the instruments
            var figures = new Dictionary<string, double>(StringComparer.Ordinal);
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == "Atelier.Sessions")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>((i, v, t, _) => figures[Key(i, t)] = v);
            listener.SetMeasurementEventCallback<int>((i, v, t, _) => figures[Key(i, t)] = v);
            listener.Start();
            listener.RecordObservableInstruments();
            return figures;
        }

        private static string Key(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            tags.Length == 1 && tags[0].Key == "tier" ? $"{instrument.Name}/{tags[0].Value}" : instrument.Name;
    }
}
