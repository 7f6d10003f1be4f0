using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Pm.Cli.Tests;

/// <summary>A real DNS server on loopback (Debian's dnsmasq), authoritative for <c>fleet.test</c>, on a free port of its own.</summary>
/// <remarks>
/// Records given with <see cref="StartAsync"/> are fixed; the names of the hosts file (<see cref="SetHostsAsync"/>)
/// are read again on SIGHUP, as an operator's change to DNS would be seen.
/// </remarks>
internal sealed class Dnsmasq : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly Channel<string> _log = Channel.CreateUnbounded<string>();

    private Dnsmasq(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Gets the server as <c>--dns-server</c> takes it.</summary>
    public string Server => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    private string HostsPath => Path.Combine(_directory, "hosts");

    /// <summary>Starts dnsmasq with these configuration lines (<c>host-record=</c>, <c>srv-host=</c>…) and these hosts-file lines.</summary>
    public static async Task<Dnsmasq> StartAsync(IEnumerable<string> records, IEnumerable<string> hosts)
    {
        var program = File.Exists("/usr/sbin/dnsmasq") ? "/usr/sbin/dnsmasq" : Requires.Tool("dnsmasq", "dnsmasq-base");
        var directory = Directory.CreateTempSubdirectory("pm-dns-").FullName;
        await File.WriteAllLinesAsync(Path.Combine(directory, "hosts"), hosts);
        await File.WriteAllLinesAsync(Path.Combine(directory, "dnsmasq.conf"), ["local=/fleet.test/", "addn-hosts=" + Path.Combine(directory, "hosts"), .. records]);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeUdpPort();
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                "--no-resolv", "--no-hosts", "--port=" + port.ToString(CultureInfo.InvariantCulture), "--listen-address=127.0.0.1", "--bind-interfaces",
                "--keep-in-foreground", "--log-facility=-", "--pid-file=", "--conf-file=" + Path.Combine(directory, "dnsmasq.conf"),
            })
            {
                start.ArgumentList.Add(arg);
            }

            if (Environment.UserName == "root")
            {
                start.ArgumentList.Add("--user=root");
            }

            var process = Process.Start(start)!;
            // dnsmasq opens its sockets, logs "started", then reads the hosts file; a port taken meanwhile makes it exit instead.
            var log = new List<string>();
            while (await process.StandardError.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            {
                log.Add(line);
                if (line.Contains("read " + Path.Combine(directory, "hosts"), StringComparison.Ordinal))
                {
                    var server = new Dnsmasq(process, directory, port);
                    _ = server.ReadLogAsync();
                    return server;
                }
            }

            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            process.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException("dnsmasq did not start:\n" + string.Join('\n', log));
            }
        }
    }

    /// <summary>Replaces the hosts file, has dnsmasq read it again, and returns once it has.</summary>
    public async Task SetHostsAsync(IEnumerable<string> hosts)
    {
        await File.WriteAllLinesAsync(HostsPath, hosts);
        using var kill = Process.Start("kill", ["-HUP", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        while (!(await _log.Reader.ReadAsync(TestContext.Current.CancellationToken)).Contains("read " + HostsPath, StringComparison.Ordinal))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private async Task ReadLogAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                _log.Writer.TryWrite(line);
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed with the server.
        }
    }
}
