using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pm.Tests.Shared;

namespace Pm.Npgsql.Tests;

/// <summary>
/// Raw Npgsql commands on a real PostgreSQL server, through a data source with <c>UseProcessList()</c>: listed inside
/// tasks, cancelled in the database by a kill, invisible outside tasks.
/// </summary>
public sealed class NpgsqlCallTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Sleep = "SELECT pg_sleep(30)";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A data source's own command refuses Cancel and is cancelled by its backend's id; a connection's command by Cancel.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Kill_DuringACommand_CancelsItInTheDatabaseAndTheTaskEndsKilled(bool dataSourceCommand)
    {
        await using var dataSource = Build(postgres.ConnectionStringOrSkip());
        using var list = new ProcessList();
        var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = list.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Status && e.Text == "SQL " + Sleep)
            {
                listed.TrySetResult();
            }
        });

        var running = list.RunAsync("report", async _ =>
        {
            if (dataSourceCommand)
            {
                await using var command = dataSource.CreateCommand(Sleep);
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
            else
            {
                await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
                await using var command = new NpgsqlCommand(Sleep, connection);
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
        });
        await listed.Task.WaitAsync(Ct);
        Assert.Equal("SQL " + Sleep, Assert.Single(list.GetAll()).Status);
        await using var watching = new NpgsqlConnection(postgres.ConnectionString);
        await watching.OpenAsync(Ct);
        Assert.True(await PostgresServer.IsRunningAsync(watching, Sleep, expected: true, TimeSpan.FromSeconds(5), Ct), "the command never showed in pg_stat_activity");

        Assert.Equal(KillResult.Requested, list.Kill("report", "too slow"));

        var killed = Stopwatch.StartNew();
        Assert.True(await PostgresServer.IsRunningAsync(watching, Sleep, expected: false, TimeSpan.FromSeconds(1), Ct), $"the command still ran {killed.Elapsed} after the kill");
        // Cancel throws OperationCanceledException around PostgreSQL's error; pg_cancel_backend, the error alone.
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => running.WaitAsync(Ct));
        Assert.Equal("57014", Assert.IsType<PostgresException>(thrown as PostgresException ?? thrown.InnerException).SqlState);
        Assert.True(list.TryGetHistory("report", out var history));
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
        var call = Assert.Single(history.Entries, e => e.Kind == CallKinds.Sql);
        Assert.Equal("SQL " + Sleep + " → killed", call.Status);
        Assert.Equal("postgres", call.Target);
    }

    [Fact]
    public async Task Command_InATask_IsRecordedWithKindTargetAndDuration()
    {
        await using var dataSource = Build(postgres.ConnectionStringOrSkip());
        using var list = new ProcessList();

        await list.RunAsync("short", async _ =>
        {
            await using var command = dataSource.CreateCommand("SELECT   pg_sleep(0.05)\n");
            await command.ExecuteScalarAsync(Ct);
        });

        var finished = Assert.Single(list.GetFinished());
        Assert.Equal(TaskOutcome.Ended, finished.Outcome);
        var call = Assert.Single(finished.Entries, e => e.Kind == CallKinds.Sql);
        Assert.Equal("SQL SELECT pg_sleep(0.05)", call.Status);
        Assert.Equal("postgres", call.Target);
        Assert.True(call.Duration >= TimeSpan.FromMilliseconds(50), $"duration {call.Duration}");
    }

    [Fact]
    public async Task Command_InATaskWhoseListObservesNoSql_IsNotRecorded()
    {
        await using var dataSource = Build(postgres.ConnectionStringOrSkip());
        using var list = new ProcessList(new ProcessListOptions { Dependencies = { Sql = false } });

        await list.RunAsync("quiet", async _ =>
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(Ct);
        });

        Assert.DoesNotContain(Assert.Single(list.GetFinished()).Entries, e => e.Kind == CallKinds.Sql);
    }

    [Fact]
    public async Task Command_OutsideAnyTask_RecordsNothingAndCreatesNoActivity()
    {
        await using var dataSource = Build(postgres.ConnectionStringOrSkip());
        using var list = new ProcessList();
        var created = 0;
        using var counting = new ActivityListener
        {
            // Counts the Npgsql activities that exist, whoever sampled them; samples none itself.
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStarted = _ => Interlocked.Increment(ref created),
        };
        ActivitySource.AddActivityListener(counting);
        var events = 0;
        using var subscription = list.Subscribe(_ => Interlocked.Increment(ref events));

        Assert.Null(TrackedTask.Current);
        await using (var command = dataSource.CreateCommand("SELECT 1"))
        {
            Assert.Equal(1, await command.ExecuteScalarAsync(Ct));
        }

        Assert.Equal(0, created);
        Assert.Equal(0, events);
        Assert.Empty(list.GetAll());

        // The same listener does see the activity of a command inside a task, so the count above can fail.
        await list.RunAsync("counted", async _ =>
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(Ct);
        });
        Assert.NotEqual(0, created);
    }

    [Fact]
    public async Task EfCore_OverADataSourceWithUseProcessList_RecordsEachCommandOnce()
    {
        await using var dataSource = Build(postgres.ConnectionStringOrSkip());
        using var list = new ProcessList();

        await list.RunAsync("ef", async _ =>
        {
            await using var db = new ReportDb(new DbContextOptionsBuilder<ReportDb>().UseNpgsql(dataSource).Options);
            await db.Database.ExecuteSqlRawAsync("SELECT 1", Ct);
            await db.Database.ExecuteSqlRawAsync("SELECT 2", Ct);
        });

        var entries = Assert.Single(list.GetFinished()).Entries
            .Where(e => e.Kind == CallKinds.Sql && !e.Status.StartsWith("SQL (opening connection)", StringComparison.Ordinal))
            .Select(e => e.Status)
            .ToArray();
        Assert.Equal(["SQL SELECT 1", "SQL SELECT 2"], entries);
    }

    private static NpgsqlDataSource Build(string connectionString) => new NpgsqlDataSourceBuilder(connectionString).UseProcessList().Build();

    private sealed class ReportDb(DbContextOptions<ReportDb> options) : DbContext(options);
}
