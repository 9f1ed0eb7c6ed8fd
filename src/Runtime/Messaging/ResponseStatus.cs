namespace Atelier.Runtime;

/// <summary>Outcome carried by a response frame.</summary>
internal enum ResponseStatus : byte
{
    Ok = 0,
    Error = 1,
    NotHere = 2,
    Canceled = 3,
}
