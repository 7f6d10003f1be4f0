namespace Pm.Internal;

/// <summary>Stores one history entry as UTC ticks and text: 16 bytes, no allocation of its own.</summary>
internal readonly record struct StatusEntry(long Ticks, string Status);
