namespace Atelier.Client;

/// <summary>The HTTP transport of <see cref="IAtelierClient"/>.</summary>
public sealed partial class AtelierClient : IAtelierClient;
