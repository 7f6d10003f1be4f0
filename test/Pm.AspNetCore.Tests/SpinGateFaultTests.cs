using System.Diagnostics;

namespace Pm.AspNetCore.Tests;

/// <summary>A failure inside a task's critical section never leaves it shut: a real out-of-memory, in a process of its own.</summary>
public sealed class SpinGateFaultTests
{
    [Fact]
    public async Task Status_OutOfMemoryInsideTheGate_LaterCallersProceed()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ProcessListServerSignalTests.HostPath());
        start.ArgumentList.Add("gate-fault");
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x3000000";
        // Without the background collector: with it, a heap filled to its hard limit sometimes aborts the runtime itself
        // (PAL_SEHException, exit 134) on a loaded machine, before the scenario's own code runs out of memory.
        start.Environment["DOTNET_gcConcurrent"] = "0";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(output.Trim() == "proceeded", $"exit code {process.ExitCode}, output '{output.Trim()}', errors '{(await error).Trim()}'");
    }
}
