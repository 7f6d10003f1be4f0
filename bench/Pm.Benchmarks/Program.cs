using BenchmarkDotNet.Running;
using Pm.Benchmarks;

if (args is ["serve"])
{
    await HttpServe.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
