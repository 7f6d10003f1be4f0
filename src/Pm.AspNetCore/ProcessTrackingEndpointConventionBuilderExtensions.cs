using Pm;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Sets how request tracking treats the requests of particular endpoints.</summary>
public static class ProcessTrackingEndpointConventionBuilderExtensions
{
    /// <summary>Gives the tasks of requests to these endpoints their own options, such as <see cref="TaskOptions.ForbidKill"/>.</summary>
    /// <typeparam name="TBuilder">The builder's type.</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <param name="options">The task options for their requests.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Takes effect when <c>UseProcessTracking</c> runs after routing has chosen the endpoint, as it does in a default application.</remarks>
    /// <example>
    /// <code>
    /// app.MapPost("/billing/run", RunBilling).WithTaskOptions(new TaskOptions { ForbidKill = true });
    /// </code>
    /// </example>
    public static TBuilder WithTaskOptions<TBuilder>(this TBuilder builder, TaskOptions options)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Add(endpoint => endpoint.Metadata.Add(options));
        return builder;
    }
}
