namespace Pm.Cli.Tests;

/// <summary>How the tool renders text a server chose before it reaches a terminal.</summary>
public sealed class FormatTests
{
    /// <summary>Text with every kind of character a terminal acts on: ESC sequences, BEL, NUL, a C1 CSI, DEL, a right-to-left override.</summary>
    internal const string Hostile = "a\u001b[2Jb\u0007c\u0000d\u009b31me\u007ff\u202eg\u001b]0;owned\u0007";

    /// <summary>An id a URL can carry (no NUL, which servers refuse in a path), with ESC, BEL, a C1 CSI and a right-to-left override.</summary>
    internal const string HostileId = "id\u001b[2J\u0007\u009b31m\u202e";

    /// <summary>What <see cref="HostileId"/> looks like once printed.</summary>
    internal const string HostileIdShown = @"id\e[2J\u0007\u009B31m\u202E";

    /// <summary>What <see cref="Hostile"/> looks like once printed.</summary>
    internal const string HostileShown = @"a\e[2Jb\u0007c\u0000d\u009B31me\u007Ff\u202Eg\e]0;owned\u0007";

    /// <summary>Whether <paramref name="output"/> holds a character of <see cref="Hostile"/> that a terminal would act on.</summary>
    internal static bool HasRawControl(string output) =>
        output.Contains("\u001b[2J", StringComparison.Ordinal) || output.Contains("\u001b]0;", StringComparison.Ordinal)
        || output.IndexOfAny(['\u0007', '\u0000', '\u009b', '\u007f', '\u202e']) >= 0;

    [Fact]
    public void Printable_ControlAndFormatCharacters_ShownVisibly()
    {
        Assert.Equal(HostileShown, Format.Printable(Hostile));
        Assert.Equal(@"line\nnext\ttab\rback\u2028\u2066x\u2069", Format.Printable("line\nnext\ttab\rback\u2028\u2066x\u2069"));
    }

    [Fact]
    public void Printable_SafeText_ReturnedAsIs()
    {
        const string text = "HTTP GET /stock/42 — Zürich [bold] \\e ✓ 東京";

        Assert.Same(text, Format.Printable(text));
        Assert.Equal(string.Empty, Format.Printable(null));
    }
}
