namespace Pm.AspNetCore.Internal;

/// <summary>The places of large answers being written at once under one prefix.</summary>
/// <param name="limit">How many answers may hold a place at once.</param>
internal sealed class ListingSlots(int limit)
{
    private int _used;

    /// <summary>Gets how many answers may hold a place at once.</summary>
    public int Limit => limit;

    /// <summary>Takes a place; <see langword="false"/> when all are taken.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _used) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _used);
        return false;
    }

    /// <summary>Gives back a place taken by <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _used);
}
