namespace Pm.Cli;

/// <summary>The exit codes of <c>pm</c>, documented in each command's help and in the tool's README.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;

    /// <summary>The command line is wrong: arguments that contradict each other, a bad value, an empty filter; the code System.CommandLine gives a parse error.</summary>
    public const int Usage = 1;

    public const int NotFound = 2;
    public const int Forbidden = 3;
    public const int Unauthorized = 4;

    /// <summary>The endpoints could not be had: none given, bad syntax, a name that does not resolve, a resolver that does not answer, an unreadable file.</summary>
    public const int Endpoints = 5;

    /// <summary>A bulk kill killed some of the tasks it meant to, not all.</summary>
    public const int Partial = 6;
}
