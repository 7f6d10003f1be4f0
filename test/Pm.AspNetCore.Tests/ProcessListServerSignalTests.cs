using System.Diagnostics;
using System.Net;
using System.Reflection;

namespace Pm.AspNetCore.Tests;

/// <summary>A program that starts the standalone listener still ends on the signals that end any program.</summary>
public sealed class ProcessListServerSignalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task StartAsync_InAConsoleProgram_LeavesTheProcessSignalsAlone(string signal)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(HostPath());
        start.ArgumentList.Add("listen");
        using var process = Process.Start(start)!;
        try
        {
            // The program prints its address once the listener is up.
            var line = await process.StandardOutput.ReadLineAsync(Ct);
            Assert.NotNull(line);
            Assert.StartsWith("listening ", line, StringComparison.Ordinal);
            using (var http = new HttpClient { BaseAddress = new Uri(line["listening ".Length..]) })
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("procs/", Ct)).StatusCode);
            }

            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
                Assert.Equal(0, kill.ExitCode);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    internal static string HostPath()
    {
        // test/Pm.AspNetCore.Tests/bin/<Configuration>/net10.0 → test/Pm.TestHost/bin/<Configuration>/net10.0
        var configuration = typeof(ProcessListServerSignalTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Pm.TestHost", "bin", configuration, "net10.0", "Pm.TestHost.dll"));
        return File.Exists(path) ? path : throw new FileNotFoundException("Build test/Pm.TestHost first.", path);
    }
}
