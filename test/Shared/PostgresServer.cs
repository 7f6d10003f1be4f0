using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace", Target = "~N:Pm.Tests.Shared", Justification = "Test code shared between test projects; no Visual Basic consumer.")]

namespace Pm.Tests.Shared;

/// <summary>
/// A real PostgreSQL server of its own for tests: Debian's <c>postgresql</c> binaries, a fresh cluster in a temporary folder,
/// on a free loopback port; stopped and deleted at the end. Use it as a class or collection fixture and ask for
/// <see cref="ConnectionStringOrSkip"/> in each test: without PostgreSQL installed the test skips visibly, and under CI,
/// where .ci/run installs it, fails instead.
/// </summary>
/// <remarks>
/// initdb and postgres refuse to run as root; as root (as under CI) they run as the <c>postgres</c> user that Debian's
/// package creates, through <c>runuser</c>, in a folder under /tmp that belongs to that user.
/// </remarks>
public sealed class PostgresServer : Xunit.IAsyncLifetime
{
    private const string Package = "postgresql";
    private const string ServiceUser = "postgres";
    private const int StartAttempts = 3;
    private const int ServerPatienceSeconds = 60;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(ServerPatienceSeconds + 30);

    private string? _missingReason;
    private string? _binDirectory;
    private string? _root;
    private bool _asServiceUser;
    private string? _connectionString;

    /// <summary>The loopback TCP port the server listens on; 0 until it runs.</summary>
    public int Port { get; private set; }

    /// <summary>The connection string for Npgsql, as the superuser <c>postgres</c> to the database <c>postgres</c>, without pooling.</summary>
    /// <remarks>Pooling is off so that a closed connection really leaves the server: <c>pg_stat_activity</c> shows only what a test holds open.</remarks>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed; tests call <see cref="ConnectionStringOrSkip"/> instead.</exception>
    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("PostgreSQL is not running: " + (_missingReason ?? "the fixture was not initialised."));

    private string DataDirectory => Path.Combine(_root!, "data");

    private string LogFile => Path.Combine(_root!, "postgres.log");

    /// <summary>The connection string; when PostgreSQL is not installed, skips the calling test with the reason, and under CI fails it.</summary>
    public string ConnectionStringOrSkip()
    {
        if (_missingReason is not null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Xunit.Assert.Fail("Under CI every test runs: " + _missingReason);
            }

            Xunit.Assert.Skip(_missingReason);
        }

        return ConnectionString;
    }

    public async ValueTask InitializeAsync()
    {
        _binDirectory = FindBinDirectory();
        if (_binDirectory is null)
        {
            _missingReason = $"PostgreSQL is not installed (Debian package '{Package}'); .ci/run installs it.";
            return;
        }

        _asServiceUser = Environment.IsPrivilegedProcess;
        try
        {
            await CreateRootAsync();
            await RunCheckedAsync("initdb", ["-D", DataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
            await StartAsync();
        }
        catch
        {
            try
            {
                await StopAndDeleteAsync();
            }
            catch (Exception cleanup) when (cleanup is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // The failure to start, rethrown below, is the one to read.
            }

            throw;
        }

        _connectionString = $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=false";
    }

    public async ValueTask DisposeAsync()
    {
        _connectionString = null;
        await StopAndDeleteAsync();
    }

    /// <summary>The highest version's <c>bin</c> folder under /usr/lib/postgresql that has initdb, pg_ctl and postgres.</summary>
    private static string? FindBinDirectory()
    {
        const string installs = "/usr/lib/postgresql";
        if (!Directory.Exists(installs))
        {
            return null;
        }

        return Directory.EnumerateDirectories(installs)
            .Select(version => (Version: decimal.TryParse(Path.GetFileName(version), NumberStyles.Number, CultureInfo.InvariantCulture, out var number) ? number : -1, Bin: Path.Combine(version, "bin")))
            .Where(install => install.Version >= 0 && new[] { "initdb", "pg_ctl", "postgres" }.All(name => File.Exists(Path.Combine(install.Bin, name))))
            .OrderByDescending(install => install.Version)
            .Select(install => install.Bin)
            .FirstOrDefault();
    }

    /// <summary>An empty folder only the user running the server can enter; as root, under /tmp (which every user can traverse) and given to <c>postgres</c>.</summary>
    private async Task CreateRootAsync()
    {
        if (!_asServiceUser || OperatingSystem.IsWindows())
        {
            _root = Directory.CreateTempSubdirectory("pm-postgres-").FullName;
            return;
        }

        _root = Path.Combine("/tmp", "pm-postgres-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (exitCode, output) = await RunAsync("chown", [ServiceUser, _root]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"chown {ServiceUser} {_root} failed with exit code {exitCode} (is Debian's '{Package}' package, which creates the user '{ServiceUser}', installed?):\n{output}");
        }
    }

    /// <summary>Starts the server on a free port; another process may take the port between choosing and binding it, so a bind failure tries another.</summary>
    private async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var options = $"-h 127.0.0.1 -p {port.ToString(CultureInfo.InvariantCulture)} -k '{_root}' -F -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            var seconds = ServerPatienceSeconds.ToString(CultureInfo.InvariantCulture);
            var (exitCode, output) = await RunAsync(Bin("pg_ctl"), ["start", "-w", "-t", seconds, "-D", DataDirectory, "-l", LogFile, "-o", options]);
            if (exitCode == 0)
            {
                Port = port;
                return;
            }

            var log = ReadLog();
            if (attempt < StartAttempts && log.Contains("Address already in use", StringComparison.Ordinal))
            {
                continue;
            }

            throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl exit code {exitCode}, port {port}, attempt {attempt}).\npg_ctl:\n{output}\nserver log {LogFile}:\n{log}");
        }
    }

    private async Task StopAndDeleteAsync()
    {
        if (_root is null)
        {
            return;
        }

        var root = _root;
        var failure = string.Empty;
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            var postmaster = ReadPostmasterPid();
            try
            {
                var (exitCode, output) = await RunAsync(Bin("pg_ctl"), ["stop", "-m", "immediate", "-w", "-t", "30", "-D", DataDirectory]);
                if (exitCode != 0)
                {
                    failure = $"pg_ctl stop failed with exit code {exitCode}:\n{output}";
                }
            }
            catch (TimeoutException e)
            {
                failure = e.Message;
            }

            if (failure.Length > 0 && postmaster is int pid)
            {
                KillQuietly(pid);
            }
        }

        _root = null;
        Port = 0;
        Directory.Delete(root, recursive: true);
        if (failure.Length > 0)
        {
            throw new InvalidOperationException($"PostgreSQL in {root} did not stop cleanly; its postmaster was killed.\n{failure}");
        }
    }

    private int? ReadPostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private string ReadLog()
    {
        try
        {
            return File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(none)";
        }
        catch (IOException e)
        {
            return "(unreadable: " + e.Message + ")";
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private string Bin(string name) => Path.Combine(_binDirectory!, name);

    private async Task RunCheckedAsync(string name, IReadOnlyList<string> args)
    {
        var (exitCode, output) = await RunAsync(Bin(name), args);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{name} failed with exit code {exitCode}:\n{output}");
        }
    }

    /// <summary>Runs a program to its end within <see cref="Patience"/>, as the <c>postgres</c> user when we are root, and returns its exit code and its interleaved stdout and stderr.</summary>
    private async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> args)
    {
        var asServiceUser = _asServiceUser && file.StartsWith(_binDirectory!, StringComparison.Ordinal);
        var start = new ProcessStartInfo(asServiceUser ? "runuser" : file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asServiceUser)
        {
            foreach (var arg in new[] { "-u", ServiceUser, "--", file })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var commandLine = string.Join(' ', start.ArgumentList.Prepend(start.FileName).Select(arg => arg.Contains(' ', StringComparison.Ordinal) ? $"\"{arg}\"" : arg));
        var output = new StringBuilder();
        void Append(object sender, DataReceivedEventArgs line)
        {
            if (line.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(line.Data);
                }
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{commandLine} could not start: {e.Message}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output)
            {
                throw new TimeoutException($"{commandLine} did not finish within {Patience.TotalSeconds} s; it was killed. Its output:\n{output}");
            }
        }

        lock (output)
        {
            return (process.ExitCode, $"$ {commandLine}\n{output}");
        }
    }

    /// <summary>Polls until <paramref name="statement"/> is (or is no longer) running in the database, at most <paramref name="within"/>.</summary>
    /// <returns>Whether it reached the expected state in time.</returns>
    public static async Task<bool> IsRunningAsync(global::Npgsql.NpgsqlConnection watching, string statement, bool expected, TimeSpan within, CancellationToken cancellationToken)
    {
        await using var query = new global::Npgsql.NpgsqlCommand("select count(*) from pg_stat_activity where state = 'active' and query = @query", watching);
        query.Parameters.AddWithValue("query", statement);
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if ((long)(await query.ExecuteScalarAsync(cancellationToken))! > 0 == expected)
            {
                return true;
            }

            if (elapsed.Elapsed > within)
            {
                return false;
            }

            await Task.Delay(10, cancellationToken);
        }
    }
}
