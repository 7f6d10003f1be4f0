using BenchmarkDotNet.Running;
using Pm.Benchmarks;

if (args is ["serve"])
{
    await HttpServe.RunAsync();
    return;
}

if (args is ["events", ..])
{
    await EventsLoad.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000);
    return;
}

if (args is ["scaling"])
{
    Scaling.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
