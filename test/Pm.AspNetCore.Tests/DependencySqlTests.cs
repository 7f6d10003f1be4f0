using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pm.Tests.Shared;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// A handler that passes no token and writes no status runs a long query through EF Core on a real PostgreSQL server:
/// pm lists the statement, and a kill cancels it in the database, not only in the program.
/// </summary>
public sealed class DependencySqlTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Sleep = "select pg_sleep(30)";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kill_DuringAQuery_CancelsItInTheDatabaseAndTheRequestEndsKilled()
    {
        var connectionString = postgres.ConnectionStringOrSkip();
        await using var app = await TestApp.StartAsync(
            app =>
            {
                app.UseProcessTracking();
                app.MapGet("/report", async (ReportDb db) => await db.Database.ExecuteSqlRawAsync(Sleep));
            },
            services => services.AddDbContext<ReportDb>(o => o.UseNpgsql(connectionString)));
        var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = app.List.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Status && e.Text == "SQL " + Sleep)
            {
                listed.TrySetResult();
            }
        });

        var response = app.Client.GetAsync("report", Ct);
        await listed.Task.WaitAsync(Ct);
        var task = Assert.Single(app.List.GetAll());
        Assert.Equal("SQL " + Sleep, task.Status);
        await using var watching = new NpgsqlConnection(connectionString);
        await watching.OpenAsync(Ct);
        Assert.True(await PostgresServer.IsRunningAsync(watching, Sleep, expected: true, TimeSpan.FromSeconds(5), Ct), "the query never showed in pg_stat_activity");

        Assert.Equal(KillResult.Requested, app.List.Kill(task.Id, "too slow"));

        var killed = Stopwatch.StartNew();
        Assert.True(await PostgresServer.IsRunningAsync(watching, Sleep, expected: false, TimeSpan.FromSeconds(1), Ct), $"the query still ran {killed.Elapsed} after the kill");
        var answer = await response;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.True(app.List.TryGetHistory(task.Id, out var history));
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
        var call = Assert.Single(history.Entries, e => e.Kind == CallKinds.Sql && !e.Status.StartsWith("SQL (opening connection)", StringComparison.Ordinal));
        Assert.Equal("SQL " + Sleep + " → killed", call.Status);
        Assert.Equal("postgres", call.Target);
    }

    [Fact]
    public async Task Query_InARequest_IsRecordedWithItsDuration()
    {
        var connectionString = postgres.ConnectionStringOrSkip();
        await using var app = await TestApp.StartAsync(
            app =>
            {
                app.UseProcessTracking();
                app.MapGet("/short", async (ReportDb db) => await db.Database.ExecuteSqlRawAsync("select pg_sleep(0.05)"));
            },
            services => services.AddDbContext<ReportDb>(o => o.UseNpgsql(connectionString)));

        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("short", Ct)).StatusCode);

        var finished = Assert.Single(app.List.GetFinished());
        var call = Assert.Single(finished.Entries, e => e.Kind == CallKinds.Sql && !e.Status.StartsWith("SQL (opening connection)", StringComparison.Ordinal));
        // A SELECT run as a non-query reports no row count, so the entry has no result.
        Assert.Equal("SQL select pg_sleep(0.05)", call.Status);
        Assert.True(call.Duration >= TimeSpan.FromMilliseconds(50), $"duration {call.Duration}");
    }

    private sealed class ReportDb(DbContextOptions<ReportDb> options) : DbContext(options);
}
