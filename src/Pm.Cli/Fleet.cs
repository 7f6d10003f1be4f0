using System.Diagnostics;
using Pm.Client;
using Pm.Protocol;

namespace Pm.Cli;

/// <summary>The servers a command talks to, each with its own client.</summary>
internal sealed class Fleet : IDisposable
{
    private readonly List<HttpClient> _http = [];

    public Fleet(IReadOnlyList<Endpoint> endpoints, string? token, TimeSpan timeout)
    {
        Endpoints = endpoints;
        Clients = [.. endpoints.Select(e =>
        {
            var http = new HttpClient { BaseAddress = e.Address, Timeout = timeout };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("pm-dotnet-cli");
            _http.Add(http);
            return new PmClient(http, new PmClientOptions { AccessToken = token });
        })];
    }

    public IReadOnlyList<Endpoint> Endpoints { get; }

    public IReadOnlyList<PmClient> Clients { get; }

    public async Task<EndpointState[]> FetchAllAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(Endpoints.Select((e, i) => FetchAsync(i, cancellationToken))).ConfigureAwait(false);

    public async Task<EndpointState> FetchAsync(int index, CancellationToken cancellationToken)
    {
        var endpoint = Endpoints[index];
        try
        {
            var response = await Clients[index].GetTasksAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new EndpointState(endpoint, response, null, Stopwatch.GetTimestamp());
        }
        catch (PmClientException ex)
        {
            return new EndpointState(endpoint, null, ex.Message, Stopwatch.GetTimestamp());
        }
    }

    public void Dispose()
    {
        foreach (var http in _http)
        {
            http.Dispose();
        }
    }
}

/// <summary>What one endpoint last answered, and when (by this machine's monotonic clock).</summary>
internal sealed record EndpointState(Endpoint Endpoint, ProcResponse? Response, string? Error, long FetchedAt);
