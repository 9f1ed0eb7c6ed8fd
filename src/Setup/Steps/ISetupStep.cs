namespace Atelier.Setup.Steps;

/// <summary>One idempotent setup step: checks what is cached and only does work that is missing.</summary>
internal interface ISetupStep
{
    /// <summary>Short name printed on the progress line.</summary>
    string Name { get; }

    Task RunAsync(SetupContext context, CancellationToken cancellationToken);
}
