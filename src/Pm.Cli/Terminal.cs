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
}
