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

if (args is ["listing", ..])
{
    await ListingLoad.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3_000, args.Length > 2 ? args[2] : "listener");
    return;
}

if (args is ["listing-serve", var running, var kind])
{
    await ListingLoad.ServeAsync(int.Parse(running, System.Globalization.CultureInfo.InvariantCulture), kind);
    return;
}

if (args is ["fleet", ..])
{
    var sizes = args.Length > 1 ? args[1].Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList() : [50, 200, 500];
    var kinds = args.Length > 3 && args[3] != "all" ? args[3].Split(',') : ["quiet", "busy", "go"];
    await FleetLoad.RunAsync(sizes, TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 30), kinds);
    return;
}

if (args is ["fleet-serve", var count, var mode])
{
    await FleetLoad.ServeAsync(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), mode);
    return;
}

if (args is ["scaling"])
{
    Scaling.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(HttpServe).Assembly).Run(args);
