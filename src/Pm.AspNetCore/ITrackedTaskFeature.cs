namespace Pm.AspNetCore;

/// <summary>Gives a request's handler the task that tracks the request.</summary>
public interface ITrackedTaskFeature
{
    /// <summary>Gets the task that tracks the current request.</summary>
    TrackedTask Task { get; }
}
