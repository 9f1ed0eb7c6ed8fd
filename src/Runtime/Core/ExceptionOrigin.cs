namespace Atelier.Runtime;

/// <summary>
/// Which silo a failed grain call ran on. The runtime records it on the exception when an activation's call fails
/// (the silo that ran it) and carries it in the error frame of a remote call (the silo that answered), so a caller
/// can name the grain's owner in its own error answer. An exception raised on the calling silo before any grain call
/// failed (argument checks, an unreachable owner) has no origin.
/// </summary>
public static class ExceptionOrigin
{
    /// <summary>Key of the origin in <see cref="Exception.Data"/>.</summary>
    internal const string DataKey = "Atelier.Runtime.OriginSilo";

    /// <summary>The name (<see cref="SiloRuntimeOptions.Name"/>) of the silo the failed grain call ran on, or null when
    /// the exception (and its inner exceptions) did not come out of a grain call.</summary>
    public static string? GetOriginSilo(this Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e.Data[DataKey] is string silo)
            {
                return silo;
            }
        }

        return null;
    }

    /// <summary>Records <paramref name="silo"/> as the origin, replacing one set by a nested call on another silo: the
    /// outermost call is the one its caller made.</summary>
    internal static void Set(Exception exception, string silo)
    {
        if (!exception.Data.IsReadOnly)
        {
            exception.Data[DataKey] = silo;
        }
    }
}
