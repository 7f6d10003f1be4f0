namespace Pm;

/// <summary>Names the kinds of change a <see cref="ProcessList"/> reports to its subscribers.</summary>
public enum TaskEventKind
{
    /// <summary>A task started.</summary>
    Started,

    /// <summary>A task recorded a new status.</summary>
    Status,

    /// <summary>A task's attribute was set or removed.</summary>
    Attribute,

    /// <summary>A task accepted a kill request; its token is cancelled.</summary>
    KillRequested,

    /// <summary>A task finished, whatever its outcome.</summary>
    Finished,

    /// <summary>A running task crossed its <see cref="TaskOptions.SlowAfter"/> threshold.</summary>
    Slow,

    /// <summary>A running task crossed its <see cref="TaskOptions.HungAfter"/> threshold.</summary>
    Hung,

    /// <summary>A task reported progress.</summary>
    Progress,
}
