using Pm;
using Pm.AspNetCore;

// Scenarios that need a process of their own: the tests start this program and read what it prints.
switch (args.FirstOrDefault())
{
    case "listen":
        // Starts the listener the way a plain console program would, prints where it listens, and waits: the process
        // must still end on SIGTERM and SIGINT as if the listener were not there.
        using (var list = new ProcessList())
        using (list.Start("waiting"))
        {
            await using var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" });
            Console.WriteLine("listening " + server.Address);
            await Task.Delay(Timeout.Infinite);
        }

        break;

    case "shutdown":
        // A web application whose requests refuse kills, with a five-second shutdown timeout: prints where it listens
        // once the requests are all running, then waits for SIGTERM. Its log goes to standard error.
        return await Shutdown.RunAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), args.ElementAtOrDefault(2) == "ignore-token");

    case "gate-fault":
        // Run under a small GC heap limit: a task's history outgrows the memory left, so the allocation inside its
        // gate fails; afterwards every caller must still get through.
        Console.WriteLine(GateFault());
        break;

    default:
        Console.Error.WriteLine("usage: Pm.TestHost listen | shutdown <requests> [ignore-token] | gate-fault");
        return 2;
}

return 0;

static string GateFault()
{
    using var list = new ProcessList();
    var task = list.Start("t", options: new TaskOptions { HistoryLimit = 1_000_000 });
    var ballast = new List<byte[]>();
    try
    {
        while (true)
        {
            ballast.Add(new byte[64 * 1024]);
        }
    }
    catch (OutOfMemoryException)
    {
        // The heap is full.
    }

    // Room for small objects again, not for a large history.
    ballast.RemoveRange(ballast.Count - 16, 16);
    var failed = false;
    try
    {
        for (var i = 0; i < 1_000_000; i++)
        {
            task.Status("step");
        }
    }
    catch (OutOfMemoryException)
    {
        failed = true;
    }

    ballast.Clear();
    GC.Collect();
    if (!failed)
    {
        return "no fault";
    }

    var later = Task.Run(() =>
    {
        task.Status("after the fault");
        task.SetAttribute("k", 1);
        list.TryGetHistory("t", out _);
        task.Dispose();
        return list.GetFinished().Count;
    });
    return later.Wait(TimeSpan.FromSeconds(5)) ? "proceeded" : "stuck";
}
