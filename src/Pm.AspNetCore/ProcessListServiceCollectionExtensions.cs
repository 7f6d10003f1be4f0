using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Pm;
using Pm.AspNetCore;
using Pm.AspNetCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Pm's services.</summary>
public static class ProcessListServiceCollectionExtensions
{
    /// <summary>Registers a new <see cref="ProcessList"/> as a singleton, using the container's <see cref="TimeProvider"/>, <see cref="IMeterFactory"/> and <see cref="ILoggerFactory"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the list's options.</param>
    /// <returns>The services.</returns>
    /// <remarks>
    /// Every client of <c>IHttpClientFactory</c> then reports its requests made inside a task (a tracked request, a
    /// task run by the list) as the task's calls, and a kill of the task aborts them; see
    /// <see cref="ProcessListOptions.Dependencies"/> to turn this off.
    /// </remarks>
    public static IServiceCollection AddProcessList(this IServiceCollection services, Action<ProcessListOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCommon(services);
        services.TryAddSingleton(provider =>
        {
            var options = new ProcessListOptions
            {
                MeterFactory = provider.GetService<IMeterFactory>(),
                TimeProvider = provider.GetService<TimeProvider>() ?? TimeProvider.System,
                LoggerFactory = provider.GetService<ILoggerFactory>(),
            };
            configure?.Invoke(options);
            return new ProcessList(options);
        });
        return services;
    }

    /// <summary>Runs the standalone pm listener, serving the registered <see cref="ProcessList"/>, for the lifetime of the host.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the listener; by default <c>http://127.0.0.1:8081/procs</c>.</param>
    /// <returns>The services.</returns>
    /// <remarks>Call <see cref="AddProcessList(IServiceCollection, Action{ProcessListOptions}?)"/> too.</remarks>
    public static IServiceCollection AddProcessListServer(this IServiceCollection services, Action<ProcessListServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new ProcessListServerOptions();
        configure?.Invoke(options);
        services.AddHostedService(provider =>
        {
            options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
            return new ProcessListServerHostedService(provider.GetRequiredService<ProcessList>(), options);
        });
        return services;
    }

    /// <summary>Registers an existing <see cref="ProcessList"/>, such as <see cref="ProcessList.Default"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="list">The list; the container does not dispose it.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddProcessList(this IServiceCollection services, ProcessList list)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(list);
        AddCommon(services);
        services.TryAddSingleton(list);
        return services;
    }

    private static void AddCommon(IServiceCollection services)
    {
        services.TryAddSingleton<ProcessListPrefixes>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, TrackedHttpHandlerFilter>());
    }
}
