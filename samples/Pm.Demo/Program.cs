using Pm;

// Tracks three jobs, kills one of them, and prints what the tracker recorded.
using var list = new ProcessList();

var jobs = new[]
{
    list.RunAsync("report-1", async task =>
    {
        foreach (var step in new[] { "querying", "aggregating", "rendering" })
        {
            task.Status(step);
            await Task.Delay(300, task.CancellationToken);
        }
    }, [new("kind", "report")]),
    list.RunAsync("export-2", async task =>
    {
        task.Status("streaming rows");
        await Task.Delay(Timeout.Infinite, task.CancellationToken);
    }, [new("kind", "export")], new TaskOptions { SuppressKillException = true }),
    list.RunAsync("billing-3", async task =>
    {
        task.Status("charging");
        await Task.Delay(600, task.CancellationToken);
    }, [new("kind", "billing")], new TaskOptions { ForbidCancel = true }),
};

await Task.Delay(150);
Console.WriteLine("Running:");
foreach (var task in list.GetAll().OrderBy(t => t.Id))
{
    Console.WriteLine($"  {task.Id,-10} {task.Status,-16} {string.Join(", ", task.Attributes.Select(a => $"{a.Key}={a.Value}"))}");
}

Console.WriteLine($"kill export-2  -> {list.Kill("export-2", "taking too long")}");
Console.WriteLine($"kill billing-3 -> {list.Kill("billing-3", "please")}");
Console.WriteLine($"kill nothing-4 -> {list.Kill("nothing-4")}");

await Task.WhenAll(jobs);

Console.WriteLine("Finished:");
foreach (var task in list.GetFinished())
{
    Console.WriteLine($"  {task.Id,-10} {task.Outcome,-8} {task.Duration?.TotalMilliseconds,6:F0} ms  {string.Join(" > ", task.Entries.Select(e => e.Status))}");
}
