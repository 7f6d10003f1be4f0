using Microsoft.AspNetCore.Builder;

namespace Pm.AspNetCore;

/// <summary>Adds conventions to the pm endpoints: to all of them, or to reading and killing apart.</summary>
/// <remarks>
/// Conventions added to this builder apply to every pm endpoint; those added to <see cref="Kills"/> only to kill
/// requests, so that killing can require a stricter policy than reading. Both apply to a kill.
/// </remarks>
/// <example>
/// <code>
/// app.MapProcessList("/procs")
///    .RequireAuthorization("operators")            // listing, histories, the live stream, the dashboard
///    .Kills.RequireAuthorization("incident-leads"); // and, for DELETE, this policy too
/// </code>
/// </example>
public sealed class ProcessListEndpointConventionBuilder : IEndpointConventionBuilder
{
    private readonly IEndpointConventionBuilder _all;

    internal ProcessListEndpointConventionBuilder(IEndpointConventionBuilder all, IEndpointConventionBuilder reads, IEndpointConventionBuilder kills)
    {
        _all = all;
        Reads = reads;
        Kills = kills;
    }

    /// <summary>Gets the builder of the endpoints that read: the list and its views, one task, a history, the dashboard.</summary>
    public IEndpointConventionBuilder Reads { get; }

    /// <summary>Gets the builder of the endpoint that kills: <c>DELETE &lt;prefix&gt;/&lt;id&gt;</c>.</summary>
    public IEndpointConventionBuilder Kills { get; }

    /// <inheritdoc />
    public void Add(Action<EndpointBuilder> convention) => _all.Add(convention);

    /// <inheritdoc />
    public void Finally(Action<EndpointBuilder> finallyConvention) => _all.Finally(finallyConvention);
}
