namespace Atelier.Silo.Endpoints;

/// <summary>OpenAPI metadata shared by the feature endpoints.</summary>
internal static class EndpointMetadata
{
    /// <summary>Documents each status as an <c>application/problem+json</c> answer carrying a stable <c>code</c>.</summary>
    public static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.ProducesProblem(status);
        }

        return builder.ProducesProblem(StatusCodes.Status500InternalServerError);
    }
}
