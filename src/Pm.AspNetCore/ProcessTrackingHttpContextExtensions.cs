using Pm;
using Pm.AspNetCore;

namespace Microsoft.AspNetCore.Http;

/// <summary>Gives request handlers their tracked task.</summary>
public static class ProcessTrackingHttpContextExtensions
{
    /// <summary>Gets the task that tracks the current request, or <see langword="null"/> when the request is not tracked.</summary>
    /// <param name="context">The request's context.</param>
    /// <returns>The task, or <see langword="null"/>.</returns>
    public static TrackedTask? GetTrackedTask(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<ITrackedTaskFeature>()?.Task;
    }
}
