using Microsoft.AspNetCore.Http;

namespace Pm.AspNetCore.Internal;

internal sealed partial class ProcessListHandler
{
    private readonly ListingSlots _listings;

    private async Task ListViewAsync(HttpContext context)
    {
        switch (Query(context, "view").ToString())
        {
            case "":
                break;
            case "finished":
                await FinishedAsync(context).ConfigureAwait(false);
                return;
            case "events":
                await _events.RunAsync(context, _stopping).ConfigureAwait(false);
                return;
            default:
                await PlainAsync(context, StatusCodes.Status400BadRequest, _options.EnableDashboard ? "view must be 'finished', 'events' or 'ui'" : "view must be 'finished' or 'events'").ConfigureAwait(false);
                return;
        }

        if (!ListQuery.TryParse(context.Request.Query, out var query, out var error))
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, error).ConfigureAwait(false);
            return;
        }

        var now = _time.GetUtcNow();
        IEnumerable<TaskSnapshot> tasks = _list.GetAll();
        if (query.Filters)
        {
            tasks = tasks.Where(t => query.Matches(t, now));
        }

        if (query.Sort is not null)
        {
            tasks = query.Order(tasks);
        }

        if (query.Limit is { } limit)
        {
            tasks = tasks.Take(limit);
        }

        // Written straight from the snapshots into the response, a chunk at a time: no wire objects for thousands of tasks.
        using var body = Listing(context);
        await ProcResponseWriter.WriteAsync(body, tasks, now).ConfigureAwait(false);
    }

    private async Task FinishedAsync(HttpContext context)
    {
        if (!ListQuery.TryParseLimit(context.Request.Query["limit"], out var limit, out var error))
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, error).ConfigureAwait(false);
            return;
        }

        var now = _time.GetUtcNow();
        using var body = Listing(context);
        await FinishedResponseWriter.WriteAsync(body, _list.GetFinished().Take(limit ?? int.MaxValue), now).ConfigureAwait(false);
    }

    private ListingBody Listing(HttpContext context) => new(context, _listings, _options.MinListingDataRate, _time);
}
