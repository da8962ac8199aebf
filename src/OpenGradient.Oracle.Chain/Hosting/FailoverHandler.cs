using System.Net;
using Microsoft.Extensions.Logging;

namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>
/// Spreads JSON-RPC over <see cref="ChainOptions.RpcUrls"/>: each call goes to the best endpoint by
/// <see cref="RpcEndpointSet.PreferenceOrder"/> (healthy first, the primary before standbys, never one on the wrong
/// chain); a connection failure, HTTP 429 or 5xx marks that endpoint down and moves the call to the next (with a short
/// jittered pause after a 429 or when every endpoint has failed once), until each endpoint had <see cref="Rounds"/>
/// tries. <see cref="RpcHealthMonitor"/> probes them in the background and brings a recovered one back. The caller's
/// timeout bounds the whole call. Requests are idempotent (reads, and raw transactions whose hash is their identity),
/// so sending one to a second node is safe.
/// </summary>
internal sealed partial class FailoverHandler : DelegatingHandler
{
    private readonly RpcEndpointSet _endpoints;
    private readonly ILogger _logger;

    public FailoverHandler(IReadOnlyList<Uri> endpoints, ILogger logger, HttpMessageHandler? inner = null)
        : this(new RpcEndpointSet(endpoints), logger, inner)
    {
    }

    public FailoverHandler(RpcEndpointSet endpoints, ILogger logger, HttpMessageHandler? inner = null)
        : base(inner ?? new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        _endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        _logger = logger;
    }

    /// <summary>How many times each endpoint is tried per call.</summary>
    public int Rounds { get; init; } = 2;

    /// <summary>The endpoint that answered the last call.</summary>
    public Uri Current => _endpoints.Urls[_endpoints.LastUsed];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var mediaType = request.Content?.Headers.ContentType;
        var order = _endpoints.PreferenceOrder();
        if (order.Count == 0)
            throw new HttpRequestException("no configured RPC endpoint serves the expected chain (Chain:RpcUrls, Chain:ChainId); see /health/ready");
        var attempts = order.Count * Rounds;
        Exception? lastError = null;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var index = order[attempt % order.Count];
            var endpoint = _endpoints.Urls[index];
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
                _endpoints.ReportCallFailure(index, e.Message);
                LogFailover(_endpoints.Labels[index], e.Message);
            }

            if (response is not null)
            {
                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                if (!retryable || attempt == attempts - 1)
                {
                    _endpoints.ReportAnswered(index);
                    return response;
                }
                var error = "HTTP " + (int)response.StatusCode;
                _endpoints.ReportCallFailure(index, error);
                LogFailover(_endpoints.Labels[index], error);
                var rateLimited = response.StatusCode == HttpStatusCode.TooManyRequests;
                response.Dispose();
                if (rateLimited) await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            // Every endpoint failed once: give them a moment before the next round.
            if ((attempt + 1) % order.Count == 0) await PauseAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
        throw new HttpRequestException($"no RPC endpoint answered ({string.Join(", ", order.Select(i => _endpoints.Labels[i]))}): {lastError?.Message}", lastError);
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
