using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Pm.Internal;

/// <summary>Reads a diagnostic event's payload by property name, so pm depends on none of the libraries that write them.</summary>
internal static class Payload
{
    private static readonly ConcurrentDictionary<(Type, string), PropertyInfo?> Properties = new();

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Reads public properties of the libraries' own event payloads, which those libraries keep.")]
    public static object? Read(object payload, string name) =>
        Properties.GetOrAdd((payload.GetType(), name), static key => key.Item1.GetProperty(key.Item2, BindingFlags.Public | BindingFlags.Instance))
            ?.GetValue(payload);
}
