using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenGradient.Oracle.Inference.Tests;

/// <summary>A minimal HTTP/1.1 server on 127.0.0.1 serving fixed bodies by path (404 otherwise).</summary>
internal sealed class LoopbackFileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public LoopbackFileServer(Dictionary<string, byte[]> files)
    {
        _files = files;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Requests => Volatile.Read(ref _requests);

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var header = new StringBuilder();
            var one = new byte[1];
            while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one) == 0) return;
                header.Append((char)one[0]);
            }
            Interlocked.Increment(ref _requests);
            var path = header.ToString().Split(' ')[1];
            var found = _files.TryGetValue(path, out var body);
            body ??= [];
            var head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Length: {body.Length}\r\n" +
                       "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
