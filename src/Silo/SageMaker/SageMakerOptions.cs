using Microsoft.Extensions.Options;

namespace Atelier.Silo.SageMaker;

/// <summary>
/// The SageMaker container contract (<c>/ping</c>, <c>/invocations</c>, the multi-model <c>/models</c> API). Off by
/// default: SageMaker authenticates callers itself (IAM, SigV4) and reaches the container on its own network, so these
/// routes carry no API key; enable them only where the port is reachable by SageMaker alone. Section <c>SageMaker</c>.
/// </summary>
public sealed class SageMakerOptions
{
    public const string SectionName = "SageMaker";

    /// <summary>Maps the SageMaker routes. Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Largest invocation body, in bytes (SageMaker's own payload limit). Default: 6 MiB.</summary>
    public long MaxBodyBytes { get; set; } = 6L << 20;

    /// <summary>Time an invocation may take before it is abandoned (SageMaker's own limit), in seconds. Default: 60.</summary>
    public int InvocationTimeoutSeconds { get; set; } = 60;

    /// <summary>The tenant SageMaker requests act as (they see shared models and this tenant's). Default: <c>sagemaker</c>.</summary>
    public string Tenant { get; set; } = "sagemaker";

    /// <summary>
    /// Model of a stateless invocation without <c>X-Amzn-SageMaker-Target-Model</c> (a KServe v2 name, e.g. <c>isnet</c>);
    /// sessions use <c>Sessions:DefaultModel</c> unless a target model is given. Default: <c>isnet</c>.
    /// </summary>
    public string DefaultModel { get; set; } = "isnet";

    /// <summary>
    /// Folder that multi-model load requests may read from: every <c>url</c> must lie inside it (SageMaker places model
    /// artifacts under <c>/opt/ml/models</c>). Default: <c>/opt/ml/models</c>.
    /// </summary>
    public string ModelRoot { get; set; } = "/opt/ml/models";

    /// <summary>Most models loaded through the multi-model API at once. Default: 1000.</summary>
    public int MaxModels { get; set; } = 1000;

    /// <summary>Most models in one page of <c>GET /models</c>. Default: 100.</summary>
    public int PageSize { get; set; } = 100;
}

/// <summary>Checks <see cref="SageMakerOptions"/> at start.</summary>
internal sealed class SageMakerOptionsValidator : IValidateOptions<SageMakerOptions>
{
    public ValidateOptionsResult Validate(string? name, SageMakerOptions options)
    {
        if (options.MaxBodyBytes is < 1024 or > 1L << 30 || options.InvocationTimeoutSeconds is < 1 or > 3600)
        {
            return ValidateOptionsResult.Fail("SageMaker:MaxBodyBytes must be in 1024..1073741824 and InvocationTimeoutSeconds in 1..3600.");
        }

        if (string.IsNullOrWhiteSpace(options.Tenant) || string.IsNullOrWhiteSpace(options.DefaultModel) || string.IsNullOrWhiteSpace(options.ModelRoot))
        {
            return ValidateOptionsResult.Fail("SageMaker:Tenant, DefaultModel and ModelRoot must not be empty.");
        }

        if (options.MaxModels < 1 || options.PageSize < 1)
        {
            return ValidateOptionsResult.Fail("SageMaker:MaxModels and PageSize must be positive.");
        }

        return ValidateOptionsResult.Success;
    }
}
