namespace Pm.Cli.Tests;

/// <summary>Asserts that calls wait, when what they wait for sends no signal.</summary>
internal static class Waiting
{
    /// <summary>How long a call that waits for a slot is watched not to finish: a call to a server on loopback takes milliseconds.</summary>
    private static readonly TimeSpan Watched = TimeSpan.FromMilliseconds(500);

    /// <summary>Asserts that none of <paramref name="calls"/> finishes while watched: they wait for a slot.</summary>
    public static async Task AssertNotDoneAsync(IReadOnlyList<Task> calls)
    {
        // A call that never comes has no signal to await: watch it for a while that a call would need a hundred times over.
        await Task.WhenAny(Task.WhenAny(calls), Task.Delay(Watched, TestContext.Current.CancellationToken));
        Assert.All(calls, call => Assert.False(call.IsCompleted, "a call went out while every slot of the limit was taken"));
    }
}
