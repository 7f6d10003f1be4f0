using Microsoft.Extensions.Http;

namespace Pm.AspNetCore.Internal;

/// <summary>Puts a <see cref="TrackedHttpHandler"/> outermost in every client the factory builds, around retries and the rest.</summary>
internal sealed class TrackedHttpHandlerFilter : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return builder =>
        {
            next(builder);
            builder.AdditionalHandlers.Insert(0, new TrackedHttpHandler());
        };
    }
}
