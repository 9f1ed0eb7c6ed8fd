namespace Atelier.Grains.Sessions;

/// <summary>
/// What a session holds between calls: unless <see cref="SessionCacheOptions.KeepDecodedImage"/>, the decoded image
/// is dropped when each call ends (the grain is not reentrant, so no other call is using it), leaving the embedding,
/// the low-res logits, the selection and the encoded versions.
/// </summary>
internal sealed partial class SessionGrain : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        finally
        {
            if (!cacheOptions.Value.KeepDecodedImage)
            {
                _history?.ReleaseDecoded();
            }
        }
    }
}
