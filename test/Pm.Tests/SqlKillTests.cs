using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Pm.Tests;

/// <summary>
/// Many tasks loop short SQLite statements through EF Core on one file database, sharing pooled connections, while
/// another thread kills some of them at random moments: a kill's <c>sqlite3_interrupt</c> must stop the killed task's
/// own statement, while its call is in flight, and nothing else.
/// </summary>
public sealed class SqlKillTests : IDisposable
{
    private const int Tasks = 24;
    private const int Rounds = 12;
    private const int StatementsPerTask = 8;

    // A few milliseconds of work, so that kills land before, inside and after statements alike.
    private const string Count = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) SELECT count(*) AS \"Value\" FROM c";

    // Rows read one by one after the command's execution has been reported.
    private const string Rows = "SELECT id AS \"Value\" FROM items";

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pm-sqlkill-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
        File.Delete(_path + "-wal");
        File.Delete(_path + "-shm");
    }

    [Fact]
    public async Task Kill_AtRandomMomentsOfTasksLoopingShortStatements_EndsExactlyTheKilledTasksKilledAndNothingHangs()
    {
        await using (var setup = new Db(_path, null))
        {
            await setup.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL", Ct);
            await setup.Database.ExecuteSqlRawAsync("CREATE TABLE items (id INTEGER PRIMARY KEY)", Ct);
            await setup.Database.ExecuteSqlRawAsync(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500) INSERT INTO items SELECT x FROM c", Ct);
        }

        using var list = new ProcessList();
        var statements = new StatementCounter();
        var faults = new ConcurrentQueue<string>();
        using var finished = list.Subscribe(e =>
        {
            // Published as the task ends: none of its statements may still be running.
            if (e.Kind == TaskEventKind.Finished && statements.Running(e.TaskId) is var running and > 0)
            {
                faults.Enqueue($"{e.TaskId} ended with {running} statement(s) still running");
            }
        });

        var random = new Random(12345);
        var honoured = 0;
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < Rounds; round++)
        {
            var runs = new Task[Tasks];
            var failures = new Exception?[Tasks];
            using var go = new ManualResetEventSlim();

            // A thread each, started together: SQLite's asynchronous calls complete synchronously, and tasks queued
            // on the thread pool would start one by one as it grows.
            for (var t = 0; t < Tasks; t++)
            {
                var index = t;
                runs[t] = Task.Factory.StartNew(
                    () =>
                    {
                        go.Wait(Ct);
                        list.RunAsync($"r{round}-t{index}", async _ =>
                        {
                            try
                            {
                                await LoopAsync(index, statements);
                            }
                            catch (Exception ex)
                            {
                                failures[index] = ex;
                                throw;
                            }
                        }).GetAwaiter().GetResult();
                    },
                    Ct,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default);
            }

            // Kills half the tasks, each at its own random moment of the round.
            var killed = new bool[Tasks];
            var victims = Enumerable.Range(0, Tasks).OrderBy(_ => random.Next()).Take(Tasks / 2).ToArray();
            var delays = victims.Select(_ => random.Next(0, 60)).Order().ToArray();
            go.Set();
            var start = Stopwatch.GetTimestamp();
            for (var k = 0; k < victims.Length; k++)
            {
                while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < delays[k])
                {
                    Thread.SpinWait(100);
                }

                killed[victims[k]] = list.Kill($"r{round}-t{victims[k]}", "stress") == KillResult.Requested;
            }

            var all = Task.WhenAll(runs);
            var done = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(15), Ct));
            Assert.True(done == all, $"round {round}: tasks still running 15 s after the kills: "
                + string.Join(", ", list.GetAll().Select(s => $"{s.Id} ({s.Status})")));

            for (var t = 0; t < Tasks; t++)
            {
                var id = $"r{round}-t{t}";
                Assert.True(list.TryGetHistory(id, out var history), id);
                if (history.Outcome == TaskOutcome.Killed && killed[t])
                {
                    honoured++;
                }
                else if (history.Outcome != TaskOutcome.Ended || failures[t] is not null)
                {
                    // A kill that came after the task's last statement had begun leaves it to end normally; any other
                    // outcome, or an exception, means an interrupt went astray.
                    faults.Enqueue($"{id} ended {history.Outcome} (kill requested: {killed[t]}): {failures[t]}; "
                        + string.Join(" / ", history.Entries.TakeLast(4).Select(e => e.Status)));
                }
            }

            Assert.True(faults.IsEmpty, string.Join("\n", faults.Take(10)));
        }

        // Most kills land while the task still runs statements, so the run did test them.
        Assert.True(honoured > Rounds * Tasks / 5, $"only {honoured} tasks were killed");

        // A killed task stops within its statement or at the next one's start, never after a command timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    // A task's work: short queries, row-by-row reads and writes, with neither a token nor a status of its own.
    private async Task LoopAsync(int index, StatementCounter statements)
    {
        await using var db = new Db(_path, statements);
        for (var i = 0; i < StatementsPerTask; i++)
        {
            if ((i + index) % 2 == 0)
            {
                Assert.Equal(5000, await db.Database.SqlQueryRaw<long>(Count).SingleAsync());
            }
            else
            {
                Assert.Equal(500, (await db.Database.SqlQueryRaw<long>(Rows).ToListAsync()).Count);
            }
        }
    }

    /// <summary>Counts, per task, the statements between their execution and the end of their reading.</summary>
    private sealed class StatementCounter : DbCommandInterceptor
    {
        private readonly ConcurrentDictionary<string, int> _running = new();

        public int Running(string id) => _running.GetValueOrDefault(id);

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Change(+1);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Change(+1);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Change(+1);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Change(-1);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            Change(-1);
            return result;
        }

        public override ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            Change(-1);
            return ValueTask.FromResult(result);
        }

        public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Change(-1);
            return Task.CompletedTask;
        }

        public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Change(-1);

        private void Change(int by)
        {
            if (TrackedTask.Current is { } task)
            {
                _running.AddOrUpdate(task.Id, by, (_, n) => n + by);
            }
        }
    }

    private sealed class Db(string path, StatementCounter? statements) : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
        {
            optionsBuilder.UseSqlite($"Data Source={path}");
            if (statements is not null)
            {
                optionsBuilder.AddInterceptors(statements);
            }
        }
    }
}
