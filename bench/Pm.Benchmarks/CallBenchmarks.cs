using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Pm.AspNetCore.Internal;

namespace Pm.Benchmarks;

/// <summary>
/// What observing one call to a dependency costs: inside a task (listed, recorded, killable) and outside any task
/// (where it must cost next to nothing), for the core API, the HTTP handler and the SQL observer.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class CallBenchmarks
{
    private const string Description = "HTTP GET inventory:5081/items/7";
    private static readonly Uri Address = new("http://inventory:5081/items/7");

    private readonly HttpRequestMessage _request = new(HttpMethod.Get, Address);
    private readonly SqliteCommand _command = new("SELECT 1");
    private readonly DiagnosticListener _efListener = new("Microsoft.EntityFrameworkCore");

    // A source of the name .NET's HTTP connection pool uses: pm's listener is asked about each activity it would start.
    private readonly ActivitySource _connections = new("Experimental.System.Net.Http.Connections");
    private ProcessList _list = null!;
    private TrackedTask _task = null!;
    private HttpMessageInvoker _plain = null!;
    private HttpMessageInvoker _tracked = null!;
    private object _executing = null!;
    private object _executed = null!;

    [GlobalSetup]
    public void Setup()
    {
        // A long history limit is not needed: the ring overwrites its oldest entries, as in a long-running task.
        _list = new ProcessList();
        _task = _list.Start("bench");
        _plain = new HttpMessageInvoker(new AnswerHandler());
        _tracked = new HttpMessageInvoker(new TrackedHttpHandler { InnerHandler = new AnswerHandler() });
        _executing = new CommandEventData(_command);
        _executed = new CommandExecutedEventData(_command, 1);

        // The benchmark's own thread runs outside the task unless a row makes it current.
        _task.LeaveCurrent();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _task.Dispose();
        _list.Dispose();
        _plain.Dispose();
        _tracked.Dispose();
        _efListener.Dispose();
        _connections.Dispose();
    }

    [Benchmark(Description = "core: BeginCall + End inside a task")]
    public void CoreCall() => _task.BeginCall(CallKinds.Http, Description, "inventory:5081").End("200");

    [Benchmark(Description = "TrackedTask.Current outside any task")]
    public TrackedTask? CurrentOutside() => TrackedTask.Current;

    [Benchmark(Baseline = true, Description = "HTTP: plain handler (baseline)")]
    public Task<HttpResponseMessage> HttpPlain() => _plain.SendAsync(_request, CancellationToken.None);

    [Benchmark(Description = "HTTP: tracked handler outside any task")]
    public Task<HttpResponseMessage> HttpOutside() => _tracked.SendAsync(_request, CancellationToken.None);

    [Benchmark(Description = "HTTP: tracked handler inside a task")]
    public async Task<HttpResponseMessage> HttpInside()
    {
        _task.MakeCurrent();
        return await _tracked.SendAsync(_request, CancellationToken.None);
    }

    [Benchmark(Description = "HTTP: plain handler with a task current (baseline of the row above)")]
    public async Task<HttpResponseMessage> HttpPlainInside()
    {
        _task.MakeCurrent();
        return await _plain.SendAsync(_request, CancellationToken.None);
    }

    [Benchmark(Description = "HTTP: a wait for a connection outside any task (what pm's activity listener adds)")]
    public Activity? WaitOutside() => _connections.StartActivity("Experimental.System.Net.Http.Connections.WaitForConnection");

    [Benchmark(Description = "making a task current and back (baseline of the SQL row below)")]
    public void ContextChange()
    {
        _task.MakeCurrent();
        _task.LeaveCurrent();
    }

    [Benchmark(Description = "SQL: EF Core's two events outside any task")]
    public void SqlOutside() => WriteCommandEvents();

    [Benchmark(Description = "SQL: EF Core's two events inside a task")]
    public void SqlInside()
    {
        _task.MakeCurrent();
        WriteCommandEvents();
        _task.LeaveCurrent();
    }

    // What EF Core does around each command: asks whether anyone listens, then writes the start and the end.
    private void WriteCommandEvents()
    {
        const string Executing = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuting";
        const string Executed = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted";
        if (_efListener.IsEnabled(Executing))
        {
            _efListener.Write(Executing, _executing);
        }

        if (_efListener.IsEnabled(Executed))
        {
            _efListener.Write(Executed, _executed);
        }
    }

    /// <summary>The shape of EF Core's command payload, as pm reads it: by property name.</summary>
    private sealed class CommandEventData(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;
    }

    private sealed class CommandExecutedEventData(SqliteCommand command, int result)
    {
        public SqliteCommand Command { get; } = command;

        public object Result { get; } = result;
    }

    private sealed class AnswerHandler : HttpMessageHandler
    {
        private static readonly Task<HttpResponseMessage> Answer = Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Answer;
    }
}
