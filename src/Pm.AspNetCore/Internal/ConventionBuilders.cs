using Microsoft.AspNetCore.Builder;

namespace Pm.AspNetCore.Internal;

/// <summary>Adds each convention to several endpoints' builders.</summary>
internal sealed class ConventionBuilders(params IEndpointConventionBuilder[] builders) : IEndpointConventionBuilder
{
    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (var builder in builders)
        {
            builder.Add(convention);
        }
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (var builder in builders)
        {
            builder.Finally(finallyConvention);
        }
    }
}
