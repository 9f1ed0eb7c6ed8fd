using Atelier.Grains.Storage;
using Atelier.Imaging;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Grains.Tests.Sessions;

/// <summary>
/// A copy of a session whose record another activation has written since (what a silo declared dead while it still runs
/// holds) cannot persist an edit: the store's revision check refuses it, the copy is dropped, and the next call serves
/// the stored session.
/// </summary>
public sealed class StaleCopyTests(GrainsFixture fixture) : IClassFixture<GrainsFixture>
{
    [Fact]
    public async Task The_in_memory_store_refuses_a_write_over_a_replaced_revision()
    {
        var store = new InMemorySessionStore();
        var session = new StoredSession { Id = "s", Model = "m", Width = 1, Height = 1, CreatedAt = default, TtlSeconds = 60, Current = 0, Versions = [[1]] };
        var first = await store.SaveAsync(session, default);

        Assert.Equal(2, await store.SaveAsync(session with { Revision = first }, default));
        await Assert.ThrowsAsync<SessionStoreConflictException>(() => store.SaveAsync(session with { Revision = first }, default));
    }

    [Fact]
    public async Task An_edit_on_a_stale_copy_is_refused_and_the_next_call_serves_the_stored_session()
    {
        var store = new InMemorySessionStore();
        await using var cluster = await fixture.StartClusterAsync(services: s => s.AddSingleton<ISessionStore>(store));
        var silo = cluster.Silos[0];
        var (scene, _) = Scenes.Disk(96, 64, 40, 30, 12);
        using var image = scene;
        var session = GrainsFixture.Session(silo);
        await session.Open(new ImageUpload(PngEncoder.Encode(image), null), new OpenSessionOptions(null, null), default);
        await session.Segment(new SegmentRequest([new PromptPoint(40, 30, 1)], null, false, false, 0), default);

        // Another owner (the session re-activated on another silo) applied an edit and stored it as the next revision.
        var stored = (await store.LoadAsync(session.GetPrimaryKeyString(), default))!;
        await store.SaveAsync(stored with { Versions = [.. stored.Versions, stored.Versions[0]], Current = 1 }, default);

        await Assert.ThrowsAsync<SessionMovedException>(() => session.Erase(new EraseRequest(null, 0, Apply: true), default));

        var info = await session.GetInfo(default); // this copy was dropped: the session comes back from the store
        Assert.Equal((1, true, EmbeddingResidency.None), (info.Version, info.CanUndo, info.Embedding));
        Assert.Equal(2, (await store.LoadAsync(session.GetPrimaryKeyString(), default))!.Versions.Count); // the refused edit left no trace
    }
}
