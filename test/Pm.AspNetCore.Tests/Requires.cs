namespace Pm.Tests.Http;

/// <summary>Skips a test whose system package is missing, visibly; under CI, where .ci/run installs it, fails instead.</summary>
internal static class Requires
{
    public static string Tool(string name, string package)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        var reason = $"{name} is not installed (Debian package '{package}'); .ci/run installs it.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("Under CI every test runs: " + reason);
        }

        Assert.Skip(reason);
        return string.Empty;
    }
}
