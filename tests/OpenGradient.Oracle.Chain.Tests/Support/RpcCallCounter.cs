using System.Text.RegularExpressions;

namespace OpenGradient.Oracle.Chain.Tests.Support;

/// <summary>Counts JSON-RPC calls by method on their way to the node (calls inside a batch each count).</summary>
internal sealed partial class RpcCallCounter() : DelegatingHandler(new HttpClientHandler())
{
    private readonly List<string> _methods = [];

    public int Count(string method)
    {
        lock (_methods) return _methods.Count(m => m == method);
    }

    public void Reset()
    {
        lock (_methods) _methods.Clear();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (_methods) _methods.AddRange(MethodPattern().Matches(body).Select(m => m.Groups[1].Value));
        return await base.SendAsync(request, cancellationToken);
    }

    [GeneratedRegex("\"method\"\\s*:\\s*\"([a-zA-Z_0-9]+)\"")]
    private static partial Regex MethodPattern();
}

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
