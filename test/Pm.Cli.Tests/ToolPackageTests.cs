using System.Diagnostics;
using System.Reflection;

namespace Pm.Cli.Tests;

/// <summary>The README's second way to get <c>pm</c>: pack it, install it as a dotnet tool from the package, run it.</summary>
public sealed class ToolPackageTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task PackedTool_InstallsFromALocalFolderAndRuns()
    {
        var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var project = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(PmProcess.DllPath)!, "..", "..", "..", "Pm.Cli.csproj"));
        var work = Directory.CreateTempSubdirectory("pm-tool-");
        try
        {
            var packages = Path.Combine(work.FullName, "packages");
            var tools = Path.Combine(work.FullName, "tools");

            // The suite has built the tool already; packing reuses that build.
            var pack = await RunAsync("dotnet", "pack", project, "--no-build", "-c", configuration, "-o", packages);
            Assert.True(pack.ExitCode == 0, pack.Output);

            // Only the local folder as a source, so no registry can supply a package of the same name.
            var config = Path.Combine(work.FullName, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
                """, TestContext.Current.CancellationToken);
            var install = await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "Pm.Cli");
            Assert.True(install.ExitCode == 0, install.Output);

            var help = await RunAsync(Path.Combine(tools, "pm"), "--help");
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("pm top", help.Output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
