namespace Pm.Internal;

/// <summary>One history entry as the ring keeps it: a time, a text and, for a finished call, the call.</summary>
internal readonly record struct StatusEntry(long Ticks, string Status, CallRecord? Call = null);
