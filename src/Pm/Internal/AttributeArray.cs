using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Pm.Internal;

/// <summary>Builds the immutable attribute arrays tasks hold; every change makes a new array, so snapshots share them.</summary>
internal static class AttributeArray
{
    public static KeyValuePair<string, object?>[]? From(ReadOnlySpan<KeyValuePair<string, object?>> attributes)
    {
        if (attributes.IsEmpty)
        {
            return null;
        }

        // One bulk copy, then checks: duplicates are rare, so only they pay for a second array.
        var result = attributes.ToArray();
        for (var i = 0; i < result.Length; i++)
        {
            if (string.IsNullOrEmpty(result[i].Key))
            {
                throw new ArgumentException("Attribute names must be non-empty.", nameof(attributes));
            }

            if (IndexOf(result.AsSpan(0, i), result[i].Key) >= 0)
            {
                return WithoutDuplicates(result);
            }
        }

        return result;
    }

    public static KeyValuePair<string, object?>[] With(KeyValuePair<string, object?>[]? attributes, string name, object? value)
    {
        if (attributes is null)
        {
            return [new(name, value)];
        }

        var index = IndexOf(attributes, name);
        KeyValuePair<string, object?>[] result;
        if (index >= 0)
        {
            result = (KeyValuePair<string, object?>[])attributes.Clone();
            result[index] = new(name, value);
        }
        else
        {
            result = new KeyValuePair<string, object?>[attributes.Length + 1];
            attributes.CopyTo(result, 0);
            result[^1] = new(name, value);
        }

        return result;
    }

    public static KeyValuePair<string, object?>[]? Without(KeyValuePair<string, object?>[]? attributes, string name)
    {
        var index = attributes is null ? -1 : IndexOf(attributes, name);
        if (index < 0)
        {
            return attributes;
        }

        if (attributes!.Length == 1)
        {
            return null;
        }

        var result = new KeyValuePair<string, object?>[attributes.Length - 1];
        attributes.AsSpan(0, index).CopyTo(result);
        attributes.AsSpan(index + 1).CopyTo(result.AsSpan(index));
        return result;
    }

    public static ImmutableArray<KeyValuePair<string, object?>> AsImmutable(KeyValuePair<string, object?>[]? attributes) =>
        attributes is null ? [] : ImmutableCollectionsMarshal.AsImmutableArray(attributes);

    // Keeps each name once, at its first position, with its last value.
    private static KeyValuePair<string, object?>[] WithoutDuplicates(KeyValuePair<string, object?>[] attributes)
    {
        var count = 0;
        foreach (var attribute in attributes)
        {
            if (string.IsNullOrEmpty(attribute.Key))
            {
                throw new ArgumentException("Attribute names must be non-empty.", nameof(attributes));
            }

            var index = IndexOf(attributes.AsSpan(0, count), attribute.Key);
            attributes[index >= 0 ? index : count++] = attribute;
        }

        return attributes[..count];
    }

    private static int IndexOf(ReadOnlySpan<KeyValuePair<string, object?>> attributes, string name)
    {
        for (var i = 0; i < attributes.Length; i++)
        {
            if (string.Equals(attributes[i].Key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
