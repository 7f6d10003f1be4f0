using System.Diagnostics;
using Npgsql;
using Pm.Tests.Shared;

namespace Pm.AspNetCore.Tests;

/// <summary>The test fixture's PostgreSQL server is real: it answers queries, lists them in pg_stat_activity and cancels them.</summary>
public sealed class PostgresServerTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Sleep = "select pg_sleep(5)";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Server_Started_AnswersAQueryAndListsItInPgStatActivity()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = postgres.ConnectionStringOrSkip();
        await using var running = new NpgsqlConnection(connectionString);
        await running.OpenAsync(ct);
        await using (var one = new NpgsqlCommand("select 1", running))
        {
            Assert.Equal(1, await one.ExecuteScalarAsync(ct));
        }

        await using var watching = new NpgsqlConnection(connectionString);
        await watching.OpenAsync(ct);
        await using var sleep = new NpgsqlCommand(Sleep, running);
        var sleeping = sleep.ExecuteScalarAsync(ct);

        Assert.True(await PollAsync(watching, running.ProcessID, listed: true, Patience, ct), $"'{Sleep}' did not show in pg_stat_activity within {Patience}.");
        sleep.Cancel();
        var cancelled = Stopwatch.StartNew();
        Assert.True(await PollAsync(watching, running.ProcessID, listed: false, TimeSpan.FromSeconds(1), ct), $"'{Sleep}' still ran {cancelled.Elapsed} after its cancellation.");

        var error = await Assert.ThrowsAsync<OperationCanceledException>(() => sleeping);
        Assert.Equal(PostgresErrorCodes.QueryCanceled, Assert.IsType<PostgresException>(error.InnerException).SqlState);
    }

    /// <summary>Polls until the backend <paramref name="pid"/> is (or is no longer) actively running <see cref="Sleep"/>, at most <paramref name="within"/>.</summary>
    private static async Task<bool> PollAsync(NpgsqlConnection watching, int pid, bool listed, TimeSpan within, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand("select count(*) from pg_stat_activity where pid = @pid and state = 'active' and query = @query", watching);
        query.Parameters.AddWithValue("pid", pid);
        query.Parameters.AddWithValue("query", Sleep);
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var found = (long)(await query.ExecuteScalarAsync(ct))! > 0;
            if (found == listed)
            {
                return true;
            }

            if (elapsed.Elapsed > within)
            {
                return false;
            }

            await Task.Delay(10, ct);
        }
    }
}
