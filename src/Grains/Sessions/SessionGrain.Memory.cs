namespace Atelier.Grains.Sessions;

/// <summary>
/// What a session holds between calls: unless <see cref="SessionCacheOptions.KeepDecodedImage"/>, the decoded image
/// is dropped when the last call in flight ends, leaving the embedding, the low-res logits, the selection and the
/// encoded versions. Calls can interleave (<c>[ReadOnly]</c> reads with each other, <c>CancelReplace</c> with a running
/// replace), so the image goes only when no call is using it; the filter runs on the activation's scheduler, so the
/// count needs no lock.
/// </summary>
internal sealed partial class SessionGrain : IIncomingGrainCallFilter
{
    private int _callsInFlight;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        _callsInFlight++;
        try
        {
            await context.Invoke();
        }
        finally
        {
            if (--_callsInFlight == 0 && !cacheOptions.Value.KeepDecodedImage)
            {
                _history?.ReleaseDecoded();
            }
        }
    }
}
