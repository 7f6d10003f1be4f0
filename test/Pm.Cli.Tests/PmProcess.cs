using System.Diagnostics;
using System.Reflection;

namespace Pm.Cli.Tests;

/// <summary>Runs the built <c>pm</c> tool as a separate process, the way a user runs it.</summary>
internal static class PmProcess
{
    public static string DllPath { get; } = Locate();

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyList<string> args, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PM_ENDPOINTS"] = null;
        start.Environment["PM_TOKEN"] = null;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string Locate()
    {
        // test/Pm.Cli.Tests/bin/<Configuration>/net10.0 → src/Pm.Cli/bin/<Configuration>/net10.0/Pm.Cli.dll
        var configuration = typeof(PmProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var path = Path.Combine(root, "src", "Pm.Cli", "bin", configuration, "net10.0", "Pm.Cli.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build src/Pm.Cli first.", path);
    }
}
