namespace Pm.Demo;

/// <summary>The demo's log messages.</summary>
internal static partial class DemoLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Banner}")]
    public static partial void Banner(ILogger logger, string banner);
}
