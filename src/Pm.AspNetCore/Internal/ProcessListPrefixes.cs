namespace Pm.AspNetCore.Internal;

/// <summary>Remembers where the pm interface is mapped, so that request tracking leaves those requests alone.</summary>
internal sealed class ProcessListPrefixes
{
    private readonly Lock _lock = new();
    private string[] _prefixes = [];

    public IReadOnlyList<string> All => Volatile.Read(ref _prefixes);

    public void Add(string prefix)
    {
        lock (_lock)
        {
            _prefixes = [.. _prefixes, prefix];
        }
    }
}
