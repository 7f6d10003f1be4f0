using Pm;
using Pm.AspNetCore;

// Starts the listener the way a plain console program would, prints where it listens, and waits: the process must
// still end on SIGTERM and SIGINT as if the listener were not there.
using var list = new ProcessList();
using var task = list.Start("waiting");
await using var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" });
Console.WriteLine("listening " + server.Address);
await Task.Delay(Timeout.Infinite);
