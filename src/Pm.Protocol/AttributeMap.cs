using System.Collections;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Represents a task's attributes on the wire: a JSON object of names to values of any JSON type.</summary>
/// <remarks>
/// Written from any .NET values: one that cannot be serialized is written as its string form, so one bad value
/// never breaks a listing. Read values are <see cref="JsonElement"/>s. A map read from the wire holds only the object's
/// JSON until <see cref="Items"/> is first read, and is written back as that JSON: a client that holds the listings of
/// many servers, or passes them on, pays for the values it looks at.
/// </remarks>
[JsonConverter(typeof(AttributeMapConverter))]
public sealed class AttributeMap : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly byte[]? _json;
    private ImmutableArray<KeyValuePair<string, object?>> _items;

    /// <summary>Initializes a new instance of the <see cref="AttributeMap"/> class.</summary>
    /// <param name="items">The attributes, in order.</param>
    public AttributeMap(ImmutableArray<KeyValuePair<string, object?>> items) => _items = items.IsDefault ? [] : items;

    private AttributeMap(byte[] json) => _json = json;

    /// <summary>Gets the attributes, in order.</summary>
    public ImmutableArray<KeyValuePair<string, object?>> Items
    {
        get
        {
            // One array reference: a race parses twice at worst, and every reader sees a whole array.
            var items = _items;
            if (items.IsDefault)
            {
                items = AttributeMapConverter.Parse(_json!);
                _items = items;
            }

            return items;
        }
    }

    /// <summary>Makes a map read from the wire: the object's JSON, parsed when first asked for.</summary>
    internal static AttributeMap FromJson(byte[] json) => new(json);

    /// <summary>Gets the JSON this map was read from; <see langword="null"/> for a map made from values.</summary>
    internal byte[]? Json => _json;

    /// <inheritdoc />
    public int Count => Items.Length;

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] => Items[index];

    /// <summary>Creates a map for the wire, or <see langword="null"/> when there are no attributes (the field is then omitted).</summary>
    /// <param name="items">The attributes.</param>
    /// <returns>The map, or <see langword="null"/>.</returns>
    public static AttributeMap? OrNull(ImmutableArray<KeyValuePair<string, object?>> items) =>
        items.IsDefaultOrEmpty ? null : new AttributeMap(items);

    /// <summary>Gets the value of the attribute named <paramref name="name"/>.</summary>
    /// <param name="name">The attribute's name.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> if the attribute exists.</returns>
    public bool TryGetValue(string name, out object? value)
    {
        foreach (var item in Items)
        {
            if (string.Equals(item.Key, name, StringComparison.Ordinal))
            {
                value = item.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public bool Equals(AttributeMap? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || (_json is null) != (other._json is null))
        {
            return false;
        }

        if (_json is not null)
        {
            return _json.AsSpan().SequenceEqual(other._json);
        }

        var (mine, theirs) = (Items, other.Items);
        if (mine.Length != theirs.Length)
        {
            return false;
        }

        for (var i = 0; i < mine.Length; i++)
        {
            if (!string.Equals(mine[i].Key, theirs[i].Key, StringComparison.Ordinal) || !Equals(mine[i].Value, theirs[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AttributeMap);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        if (_json is not null)
        {
            hash.AddBytes(_json);
            return hash.ToHashCode();
        }

        foreach (var (name, value) in Items)
        {
            hash.Add(name, StringComparer.Ordinal);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
