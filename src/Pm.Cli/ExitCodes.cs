namespace Pm.Cli;

/// <summary>The exit codes of <c>pm</c>, documented in each command's help.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int NotFound = 2;
    public const int Forbidden = 3;
    public const int Unauthorized = 4;
}
