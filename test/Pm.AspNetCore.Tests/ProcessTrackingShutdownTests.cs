using System.Diagnostics;
using System.Globalization;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// A shutdown with thousands of tracked requests that refuse kills, in a process of its own; alone, since it measures
/// how long the process takes to end, and its 2,000 connections would weigh on tests that measure time.
/// </summary>
[Collection(nameof(ProcessTrackingShutdownTests))]
[CollectionDefinition(nameof(ProcessTrackingShutdownTests), DisableParallelization = true)]
public sealed class ProcessTrackingShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UseProcessTracking_SigtermWithRequestsThatRefuseKills_ExitsWithinTheShutdownTimeoutAndLogsThemOnce(bool ignoreToken)
    {
        // The host's shutdown timeout is 5 s; 2,000 requests run whose endpoint forbids kills.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ProcessListServerSignalTests.HostPath());
        start.ArgumentList.Add("shutdown");
        start.ArgumentList.Add("2000");
        if (ignoreToken)
        {
            start.ArgumentList.Add("ignore-token");
        }

        using var process = Process.Start(start)!;
        var log = process.StandardError.ReadToEndAsync(Ct);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(Ct);
            Assert.StartsWith("ready ", line, StringComparison.Ordinal);
            var clock = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(deadline.Token);
            var elapsed = clock.Elapsed;

            Assert.True(elapsed < TimeSpan.FromSeconds(5.5), $"the process took {elapsed.TotalSeconds:0.00} s to end after SIGTERM");
            var warnings = (await log).Split('\n').Where(l => l.StartsWith("warn: Pm.ProcessList", StringComparison.Ordinal)).ToList();
            var warning = Assert.Single(warnings);
            Assert.Contains("2000 tracked requests", warning, StringComparison.Ordinal);
            Assert.Contains("2000 of them refusing kills", warning, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
