using System.Net;
using Microsoft.Extensions.Logging;

namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>
/// Spreads JSON-RPC over <see cref="ChainOptions.RpcUrls"/>: each call goes to the endpoint that answered last; a
/// connection failure, HTTP 429 or 5xx moves it to the next endpoint (with a short jittered pause after a 429 or when
/// every endpoint has failed once), until each endpoint had <see cref="Rounds"/> tries. The caller's timeout bounds the
/// whole call. Requests are idempotent (reads, and raw transactions whose hash is their identity), so sending one to a
/// second node is safe.
/// </summary>
internal sealed partial class FailoverHandler : DelegatingHandler
{
    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly ILogger _logger;
    private int _current;

    public FailoverHandler(IReadOnlyList<Uri> endpoints, ILogger logger, HttpMessageHandler? inner = null)
        : base(inner ?? new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        if (endpoints is null || endpoints.Count == 0) throw new ArgumentException("at least one endpoint is needed", nameof(endpoints));
        _endpoints = endpoints;
        _logger = logger;
    }

    /// <summary>How many times each endpoint is tried per call.</summary>
    public int Rounds { get; init; } = 2;

    /// <summary>The endpoint calls go to now.</summary>
    public Uri Current => _endpoints[Volatile.Read(ref _current) % _endpoints.Count];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var mediaType = request.Content?.Headers.ContentType;
        var start = Volatile.Read(ref _current);
        var attempts = _endpoints.Count * Rounds;
        Exception? lastError = null;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var index = (start + attempt) % _endpoints.Count;
            var endpoint = _endpoints[index];
            using var copy = new HttpRequestMessage(request.Method, endpoint);
            if (body is not null)
            {
                copy.Content = new ByteArrayContent(body);
                copy.Content.Headers.ContentType = mediaType;
            }
            HttpResponseMessage? response = null;
            try
            {
                response = await base.SendAsync(copy, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                lastError = e;
                LogFailover(endpoint.ToString(), e.Message);
            }

            if (response is not null)
            {
                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                if (!retryable || attempt == attempts - 1)
                {
                    Volatile.Write(ref _current, index);
                    return response;
                }
                LogFailover(endpoint.ToString(), "HTTP " + (int)response.StatusCode);
                var rateLimited = response.StatusCode == HttpStatusCode.TooManyRequests;
                response.Dispose();
                if (rateLimited) await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            Volatile.Write(ref _current, (index + 1) % _endpoints.Count);
            // Every endpoint failed once: give them a moment before the next round.
            if ((attempt + 1) % _endpoints.Count == 0) await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
        throw new HttpRequestException($"no RPC endpoint answered ({string.Join(", ", _endpoints)}): {lastError?.Message}", lastError);
    }

    private static Task PauseAsync(int attempt, CancellationToken cancellationToken)
    {
#pragma warning disable CA5394 // jitter, not security
        var ms = Math.Min(2000, 100 * (1 << Math.Min(attempt, 4))) * (0.5 + Random.Shared.NextDouble());
#pragma warning restore CA5394
        return Task.Delay(TimeSpan.FromMilliseconds(ms), cancellationToken);
    }

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "RPC endpoint {Endpoint} failed ({Error}); trying the next")]
    private partial void LogFailover(string endpoint, string error);
}
