using System.Globalization;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Worker.Health;
using OpenGradient.Oracle.Worker.Observability;
using Prometheus;

namespace OpenGradient.Oracle.Worker.Dashboard;

/// <summary>The node's HTTP surface: <c>/</c>, <c>/api/requests</c>, <c>/hangfire</c>, <c>/health/*</c>, <c>/metrics</c>.</summary>
internal static class DashboardEndpoints
{
    public const string ReadyTag = "ready";

    public static WebApplication MapOracleDashboard(this WebApplication app)
    {
        app.UseMiddleware<DashboardAccessMiddleware>();

        app.MapGet("/", RenderStatusPageAsync);
        app.MapGet("/api/requests", ListRequestsAsync);

        // Liveness runs no check: the process answers, that is all. Readiness runs every check tagged "ready".
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(ReadyTag),
            ResponseWriter = WriteHealthAsync,
        });

        app.MapMetrics("/metrics", app.Services.GetRequiredService<PrometheusOracleMetrics>().Registry);

        app.UseHangfireDashboard("/hangfire", new Hangfire.DashboardOptions
        {
            AppPath = "/",
            DashboardTitle = "OpenGradient oracle jobs",
            DisplayStorageConnectionString = false,
            Authorization = [new HangfireDashboardAccess()],
        }, app.Services.GetRequiredService<JobStorage>());
        return app;
    }

    private static async Task<IResult> RenderStatusPageAsync(
        string? status, int? limit, IRequestStore store, IOutboundTransactionStore transactions, INodeHealth node,
        IOptions<DashboardOptions> dashboard, IOptions<HealthOptions> health, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!RequestQueries.TryParseStatus(status, out var filter))
            return Results.BadRequest($"unknown status '{status}'; use one of {RequestQueries.StatusNames}");
        var take = Math.Clamp(limit ?? dashboard.Value.RecentRequests, 1, 1000);
        var timeout = health.Value.CheckTimeout;

        var (chain, chainError) = await TryAsync(ct => node.CheckAsync(ct), timeout, cancellationToken).ConfigureAwait(false);
        var (counts, storeError) = await TryAsync(ct => store.CountByStatusAsync(ct), timeout, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<RequestView>? requests = null;
        IReadOnlyList<OutboundTransaction>? pending = null;
        if (counts is not null)
        {
            (requests, storeError) = await TryAsync(ct => RequestQueries.ListViewsAsync(store, transactions, filter, take, ct), timeout, cancellationToken)
                .ConfigureAwait(false);
            if (chain?.Operator is { } sender)
                (pending, _) = await TryAsync(ct => transactions.ListByStatusAsync(chain.ChainId, sender, OutboundTransactionStatus.Pending, ct),
                    timeout, cancellationToken).ConfigureAwait(false);
        }

        var page = StatusPage.Render(new StatusPageModel(
            chain, chainError, counts, requests, pending?.Count, storeError, filter, take, dashboard.Value.TransactionUrlFormat, time.GetUtcNow()));
        return Results.Content(page, "text/html; charset=utf-8");
    }

    private static async Task<IResult> ListRequestsAsync(
        string? status, int? limit, IRequestStore store, IOutboundTransactionStore transactions, IOptions<HealthOptions> health,
        CancellationToken cancellationToken)
    {
        if (!RequestQueries.TryParseStatus(status, out var filter))
            return Results.BadRequest(new { error = $"unknown status '{status}'; use one of {RequestQueries.StatusNames}" });
        if (limit is < 1 or > 1000)
            return Results.BadRequest(new { error = string.Create(CultureInfo.InvariantCulture, $"limit is {limit}; use 1..1000") });

        var (requests, error) = await TryAsync(ct => RequestQueries.ListViewsAsync(store, transactions, filter, limit ?? 50, ct),
            health.Value.CheckTimeout, cancellationToken).ConfigureAwait(false);
        if (requests is null)
            return Results.Json(new { error = "database unavailable: " + error }, statusCode: StatusCodes.Status503ServiceUnavailable);
        return Results.Json(requests);
    }

    /// <summary>Runs one read for a page or API answer; a failure becomes text to show, not an error page.</summary>
    private static async Task<(T? Value, string? Error)> TryAsync<T>(
        Func<CancellationToken, Task<T>> read, TimeSpan timeout, CancellationToken cancellationToken) where T : class
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return (await read(cts.Token).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout} (Health:CheckTimeout)"));
        }
#pragma warning disable CA1031 // the page shows whatever went wrong next to the part it concerns
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return (null, e.GetType().Name + ": " + e.Message);
        }
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
