using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Pm;

/// <summary>Configures a <see cref="ProcessList"/>.</summary>
/// <remarks>Values are validated when they are set and read once, when the list is created.</remarks>
public sealed class ProcessListOptions
{
    /// <summary>The default number of finished tasks a list retains.</summary>
    public const int DefaultFinishedTaskLimit = 1000;

    private int _finishedTaskLimit = DefaultFinishedTaskLimit;
    private TimeSpan? _finishedTaskMaxAge;
    private TaskOptions _taskOptions = Pm.TaskOptions.Default;
    private TimeProvider _timeProvider = TimeProvider.System;
    private DependencyOptions _dependencies = new();
    private TimeSpan _watchdogInterval = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the options of tasks started without options of their own.</summary>
    /// <remarks>The default value is <see cref="Pm.TaskOptions.Default"/>.</remarks>
    public TaskOptions TaskOptions
    {
        get => _taskOptions;
        set => _taskOptions = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets how many finished tasks are retained, newest first; zero retains none.</summary>
    /// <remarks>
    /// The default value is 1,000. The list never references more finished tasks than this (each with its history). When
    /// several threads end tasks at once, a few of the newest may be missing for a moment: threads claim slots a few at
    /// a time, and slots claimed but not filled yet hold older tasks.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above 1,000,000.</exception>
    public int FinishedTaskLimit
    {
        get => _finishedTaskLimit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1_000_000);
            _finishedTaskLimit = value;
        }
    }

    /// <summary>Gets or sets how long a finished task is retained at most; <see langword="null"/> bounds retention by count only.</summary>
    /// <remarks>The default value is <see langword="null"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? FinishedTaskMaxAge
    {
        get => _finishedTaskMaxAge;
        set
        {
            if (value is { } age)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(age, TimeSpan.Zero, nameof(value));
            }

            _finishedTaskMaxAge = value;
        }
    }

    /// <summary>Gets or sets the clock of every timestamp and duration the list records.</summary>
    /// <remarks>The default value is <see cref="TimeProvider.System"/>.</remarks>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the factory that creates the list's <c>Pm</c> meter; <see langword="null"/> creates a standalone meter.</summary>
    /// <remarks>The default value is <see langword="null"/>. Hosts with dependency injection pass their <see cref="IMeterFactory"/>.</remarks>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Gets or sets what the list observes of the calls its tasks make to dependencies (HTTP, SQL).</summary>
    /// <remarks>The default value observes all of them; see <see cref="DependencyOptions"/>.</remarks>
    public DependencyOptions Dependencies
    {
        get => _dependencies;
        set => _dependencies = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets or sets the factory of the list's loggers; <see langword="null"/> logs nothing.</summary>
    /// <remarks>
    /// The default value is <see langword="null"/>; hosts with dependency injection pass their
    /// <see cref="ILoggerFactory"/>. The list logs under the category <c>Pm.ProcessList</c>: kill requests and their outcome
    /// (warning), the first refused kill of each task (information), slow tasks (warning) and hung tasks (error).
    /// </remarks>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets how often the list's watchdog looks for tasks that became slow or hung.</summary>
    /// <remarks>
    /// The default value is one second. The watchdog is a timer of <see cref="TimeProvider"/> that walks the running tasks;
    /// it costs nothing per task as they start, set their status and end. See <see cref="TaskOptions.SlowAfter"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 10 milliseconds or more than one hour.</exception>
    public TimeSpan WatchdogInterval
    {
        get => _watchdogInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromMilliseconds(10));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromHours(1));
            _watchdogInterval = value;
        }
    }
}
