using BenchmarkDotNet.Running;
using Pm.Benchmarks;

if (args is ["serve"])
{
    await HttpServe.RunAsync();
    return;
}

if (args is ["scaling"])
{
    Scaling.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
