using Spectre.Console;

namespace Pm.Cli;

/// <summary>Creates consoles that render the same whether stdout is a terminal or a pipe.</summary>
internal static class Terminal
{
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
