using Spectre.Console;

namespace Pm.Cli;

/// <summary>Creates consoles that render the same whether stdout is a terminal or a pipe, and writes the tool's plain lines.</summary>
/// <remarks>Every line passes through <see cref="Format.Printable"/>: the text it carries may come from a server, and a terminal must never act on it.</remarks>
internal static class Terminal
{
    /// <summary>Writes one line to standard output, its control characters shown.</summary>
    public static void Line(string text) => Console.Out.WriteLine(Format.Printable(text));

    /// <summary>Writes text without a line end (a question) to standard output, its control characters shown.</summary>
    public static void Write(string text)
    {
        Console.Out.Write(Format.Printable(text));
        Console.Out.Flush();
    }

    /// <summary>Writes <c>pm: </c> and one line to standard error, its control characters shown.</summary>
    public static void Error(string message) => Console.Error.WriteLine("pm: " + Format.Printable(message));

    public static IAnsiConsole Stdout()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });

        // Piped output has no width; wide enough that rows never wrap.
        console.Profile.Width = Console.IsOutputRedirected ? 500 : Math.Max(Console.WindowWidth, 40);
        return console;
    }

    /// <summary>A console that writes plain text, without colours or control sequences, to <paramref name="writer"/>.</summary>
    public static IAnsiConsole Plain(TextWriter writer, int width = 500)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        return console;
    }
}
