using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pm.Internal;

namespace Pm;

/// <summary>Tracks the tasks running inside a program: ids, attributes, status histories, kills, and finished tasks.</summary>
/// <remarks>
/// <para>
/// All members are thread-safe. Running tasks live in lock-striped tables, so starts and ends on different threads
/// rarely meet; per-task changes take only the task's own gate. Snapshots copy one stripe at a time and never hold
/// a lock over the whole list.
/// </para>
/// <para>
/// Any number of lists may exist; <see cref="Default"/> is the process-wide one behind <see cref="Processes"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var list = new ProcessList();
/// await list.RunAsync("export-7", async task =>
/// {
///     task.Status("querying");
///     await QueryAsync(task.CancellationToken);
///     task.Status("writing");
/// }, [new("user", "ann")]);
/// </code>
/// </example>
public sealed partial class ProcessList : IDisposable
{
    private readonly Stripe[] _stripes;
    private readonly int _stripeMask;
    private readonly TimeProvider _time;
    private readonly FinishedRing? _finished;
    private readonly TimeSpan? _finishedMaxAge;
    private readonly PmMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Watchdog _watchdog;
    private TaskOptions _taskOptions;
    private volatile bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="ProcessList"/> class.</summary>
    /// <param name="options">The list's options; <see langword="null"/> for the defaults.</param>
    public ProcessList(ProcessListOptions? options = null)
    {
        options ??= new ProcessListOptions();
        _time = options.TimeProvider;
        _taskOptions = options.TaskOptions;
        _finished = options.FinishedTaskLimit > 0 ? new FinishedRing(options.FinishedTaskLimit) : null;
        _finishedMaxAge = options.FinishedTaskMaxAge;
        Dependencies = options.Dependencies.Copy();
        if (Dependencies.Sql || Dependencies.Http)
        {
            DiagnosticSubscriber.EnsureStarted();
        }

        if (Dependencies.Http)
        {
            NetWaitObserver.EnsureStarted();
        }

        var stripeCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount * 4, 16, 256));
        _stripes = new Stripe[stripeCount];
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Stripe();
        }

        _stripeMask = stripeCount - 1;
        // Weakly: a meter lives until disposed, and must not keep alive a list its owner dropped undisposed.
        var self = new WeakReference<ProcessList>(this);
        _metrics = new PmMetrics(options.MeterFactory, () => self.TryGetTarget(out var list) ? list.Count : 0);
        _logger = options.LoggerFactory?.CreateLogger(PmLog.Category) ?? NullLogger.Instance;
        _watchdog = new Watchdog(this, options.WatchdogInterval);
    }

    /// <summary>Gets what the list observes of its tasks' calls, as set when it was created.</summary>
    internal DependencyOptions Dependencies { get; }

    /// <summary>Gets the process-wide list that <see cref="Processes"/> delegates to.</summary>
    public static ProcessList Default { get; } = new();

    /// <summary>Gets or sets the options of tasks started without options of their own.</summary>
    /// <remarks>
    /// The counterpart of the Go package's <c>SetOptions</c>. A task reads them once, when it starts, so a change
    /// affects only tasks started afterwards.
    /// </remarks>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TaskOptions TaskOptions
    {
        get => Volatile.Read(ref _taskOptions);
        set => Volatile.Write(ref _taskOptions, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Gets the number of running tasks.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var stripe in _stripes)
            {
                count += stripe.Count;
            }

            return count;
        }
    }

    /// <summary>Starts tracking a task and returns its handle; disposing the handle ends the task.</summary>
    /// <param name="id">The task's id, unique among running tasks.</param>
    /// <param name="attributes">The task's initial attributes; a later duplicate name replaces an earlier one.</param>
    /// <param name="options">The task's options, replacing <see cref="TaskOptions"/>; <see langword="null"/> to use those.</param>
    /// <param name="cancellationToken">
    /// A token linked to the task's token, such as a request's abort token. Its cancellation cancels the task's
    /// token, and a task ended by it is <see cref="TaskOutcome.Aborted"/>, not killed.
    /// </param>
    /// <returns>The task's handle.</returns>
    /// <remarks>
    /// The new task becomes <see cref="TrackedTask.Current"/> for the code that follows in the caller's flow, so the
    /// calls it makes are observed (see <see cref="TrackedTask.BeginCall"/>); ending it makes current again the task
    /// that was current before.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="id"/> or an attribute name is <see langword="null"/> or empty.</exception>
    /// <exception cref="DuplicateTaskIdException">A task with the same id is running; it is left untouched.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public TrackedTask Start(
        string id,
        ReadOnlySpan<KeyValuePair<string, object?>> attributes = default,
        TaskOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var task = StartCore(id, attributes, options, cancellationToken);
        task.MakeCurrent();
        return task;
    }

    private TrackedTask StartCore(
        string id,
        ReadOnlySpan<KeyValuePair<string, object?>> attributes,
        TaskOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var hash = id.GetHashCode();
        var task = new TrackedTask(
            this,
            id,
            hash,
            AttributeArray.From(attributes),
            options ?? TaskOptions,
            NowTicks(),
            Activity.Current);

        if (cancellationToken.CanBeCanceled)
        {
            task.LinkCancellation(cancellationToken);
        }

        if (!StripeOf(hash).TryAdd(task))
        {
            task.Unlink();
            throw DuplicateTaskIdException.Create(id);
        }

        if (task.Options.Deadline is { } deadline)
        {
            task.ScheduleDeadline(deadline);
        }

        _metrics.Started();
        if (HasObservers)
        {
            Publish(TaskEventKind.Started, id, task.StartTicks, "init");
        }

        return task;
    }

    /// <summary>Releases the list's meter; afterwards every member but <see cref="Dispose"/> throws.</summary>
    /// <remarks>Handles of tasks still running can still be disposed.</remarks>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _watchdog.Dispose();
        _metrics.Dispose();
    }

    internal long NowTicks() => _time.GetUtcNow().UtcTicks;

    /// <summary>Gets the list's clock.</summary>
    internal TimeProvider Time => _time;

    internal void OnFinished(TrackedTask task, TaskOutcome outcome, long durationTicks, string finalEntry, CancelState? cancel)
    {
        StripeOf(task.IdHash).Remove(task);
        _finished?.Add(task);
        _metrics.Finished(outcome, durationTicks);
        if (outcome == TaskOutcome.Killed && cancel is not null)
        {
            _metrics.Honoured(task.EndTicks - cancel.RequestTicks);
        }

        if (cancel?.Request is not null)
        {
            OnKilledTaskFinished(task, outcome, cancel.RequestTicks);
        }

        if (HasObservers)
        {
            PublishFinished(task, outcome, durationTicks, finalEntry);
        }
    }

    // Kept out of OnFinished: the event is a large struct, and a frame holding one is zeroed on every call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PublishFinished(TrackedTask task, TaskOutcome outcome, long durationTicks, string finalEntry) =>
        Publish(new TaskEvent(TaskEventKind.Finished, task.Id, new DateTimeOffset(task.EndTicks, TimeSpan.Zero), finalEntry, outcome, TimeSpan.FromTicks(durationTicks)));

    /// <summary>Gets the index of the stripe an id belongs to; for benchmarks that place threads on stripes.</summary>
    internal int StripeIndexOf(string id) => id.GetHashCode() & _stripeMask;

    private Stripe StripeOf(int hash) => _stripes[hash & _stripeMask];

    private TrackedTask? Find(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var hash = id.GetHashCode();
        return StripeOf(hash).Find(id, hash);
    }
}
