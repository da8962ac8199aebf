using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenGradient.Oracle.TestSupport;

/// <summary>What <see cref="FaultyProxy"/> does with the next connections.</summary>
public enum ProxyFault
{
    /// <summary>Forward bytes both ways to the upstream server.</summary>
    None,

    /// <summary>Stop listening: new connections are refused, open ones are cut (an outage).</summary>
    Refuse,

    /// <summary>Accept, read the request, and close without answering (a half-dead load balancer).</summary>
    Drop,

    /// <summary>Answer every HTTP request with 429 Too Many Requests (a rate-limited provider).</summary>
    TooManyRequests,
}

/// <summary>
/// A loopback TCP proxy in front of a real server (a Hardhat node, PostgreSQL) that can be switched into an outage,
/// a connection-dropping or a 429 mode while the system under test keeps talking to it. Counts what it injected so a
/// test can show the fault really happened.
/// </summary>
public sealed class FaultyProxy : IAsyncDisposable
{
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private ProxyFault _fault;
    private long _refused;
    private long _dropped;
    private long _throttled;
    private long _forwarded;

    private FaultyProxy(IPEndPoint upstream, int port)
    {
        _upstream = upstream;
        Port = port;
    }

    public int Port { get; }

    /// <summary>http URL of the proxy, for HTTP upstreams.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Connections cut when an outage began (new ones are refused by the kernel and not counted).</summary>
    public long Cut => Interlocked.Read(ref _refused);

    public ProxyFault Fault => _fault;

    public static FaultyProxy Start(int upstreamPort)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var proxy = new FaultyProxy(new IPEndPoint(IPAddress.Loopback, upstreamPort), port);
        proxy.Listen();
        return proxy;
    }

    /// <summary>Switches the fault for connections from now on. Leaving <see cref="ProxyFault.Refuse"/> listens again
    /// on the same port.</summary>
    public void Inject(ProxyFault fault)
    {
        lock (_lock)
        {
            var previous = _fault;
            _fault = fault;
            if (fault == ProxyFault.Refuse && previous != ProxyFault.Refuse)
            {
                _listener?.Stop();
                _listener = null;
                foreach (var c in _open)
                {
                    Interlocked.Increment(ref _refused);
                    c.Dispose();
                }
                _open.Clear();
            }
            else if (fault != ProxyFault.Refuse && previous == ProxyFault.Refuse)
            {
                Listen();
            }
        }
    }

    private void Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException or OperationCanceledException or InvalidOperationException)
            {
                return; // the listener was stopped (outage) or the proxy disposed
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            switch (_fault)
            {
                case ProxyFault.Drop:
                    Interlocked.Increment(ref _dropped);
                    await ReadHeadersAsync(client.GetStream()).ConfigureAwait(false);
                    return;
                case ProxyFault.TooManyRequests:
                    Interlocked.Increment(ref _throttled);
                    await ReadHeadersAsync(client.GetStream()).ConfigureAwait(false);
                    var answer = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();
                    try
                    {
                        await client.GetStream().WriteAsync(answer).ConfigureAwait(false);
                    }
                    catch (IOException)
                    {
                    }
                    return;
                case ProxyFault.Refuse:
                    return;
            }

            lock (_lock) _open.Add(client);
            using var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(_upstream, _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _forwarded);
                var down = client.GetStream();
                var up = upstream.GetStream();
                await Task.WhenAny(down.CopyToAsync(up, _stop.Token), up.CopyToAsync(down, _stop.Token)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // either side went away; closing both ends is all there is to do
            }
            finally
            {
                lock (_lock) _open.Remove(client);
            }
        }
    }

    /// <summary>Reads up to the end of the HTTP headers so the client sees its request consumed, not a reset.</summary>
    private static async Task ReadHeadersAsync(NetworkStream stream)
    {
        var buffer = new byte[8192];
        var seen = new StringBuilder();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                if (n == 0) return;
                seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _listener?.Stop();
            foreach (var c in _open) c.Dispose();
            _open.Clear();
        }
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
