using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Worker.Dashboard;

/// <summary>What the status page shows; each part carries its own error so one outage does not blank the page.</summary>
internal sealed record StatusPageModel(
    ChainHealthReport? Chain,
    string? ChainError,
    IReadOnlyDictionary<RequestStatus, long>? Counts,
    IReadOnlyList<RequestView>? Requests,
    int? PendingTransactions,
    string? StoreError,
    RequestStatus? Filter,
    int Limit,
    string? TransactionUrlFormat,
    DateTimeOffset RenderedAt);

/// <summary>Server-rendered HTML for <c>/</c>: no scripts, no external assets, every value HTML-encoded.</summary>
internal static class StatusPage
{
    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;background:#fafbfc}
        h1{font-size:1.3rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
        table{border-collapse:collapse;background:#fff}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
        th{background:#f3f4f6}code{font-size:12px}.muted{color:#57606a}.bad{color:#b42318;font-weight:600}.ok{color:#1a7f37;font-weight:600}
        nav a{margin-right:1rem}
        """;

    public static string Render(StatusPageModel m)
    {
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>OpenGradient oracle node</title>")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>").Append(Style).Append("</style></head><body>");
        html.Append("<h1>OpenGradient oracle node</h1><p class=\"muted\">Rendered ").Append(E(m.RenderedAt.ToString("u", CultureInfo.InvariantCulture)))
            .Append(" · reload to refresh</p>");
        html.Append("<nav><a href=\"/hangfire\">Jobs (Hangfire)</a><a href=\"/api/requests\">/api/requests</a>")
            .Append("<a href=\"/health/ready\">/health/ready</a><a href=\"/metrics\">/metrics</a></nav>");

        RenderNode(html, m);
        RenderCounts(html, m);
        RenderRequests(html, m);
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void RenderNode(StringBuilder html, StatusPageModel m)
    {
        html.Append("<h2>Node status</h2>");
        if (m.Chain is not { } c)
        {
            html.Append("<p class=\"bad\">Chain status unavailable: ").Append(E(m.ChainError ?? "unknown error")).Append("</p>");
            return;
        }
        html.Append("<table>");
        Row(html, "Chain id", c.ChainId.ToString(CultureInfo.InvariantCulture));
        Row(html, "Oracle address", c.Oracle, code: true);
        Row(html, "Operator address", c.Operator ?? "not loaded", code: c.Operator is not null);
        Row(html, "Operator balance", c.OperatorBalance is { } wei ? Ether(wei) + " ETH" : "unknown");
        Row(html, "Pending transactions", m.PendingTransactions?.ToString(CultureInfo.InvariantCulture) ?? "unknown");
        html.Append("<tr><th>Chain RPC</th><td>").Append(c.RpcReachable
            ? "<span class=\"ok\">reachable</span>"
            : "<span class=\"bad\">unreachable</span> " + E(c.RpcError ?? "")).Append("</td></tr>");
        Row(html, "Chain head", c.ChainHead?.ToString(CultureInfo.InvariantCulture) ?? "unknown");
        Row(html, "Last processed block", c.LastProcessedBlock?.ToString(CultureInfo.InvariantCulture) ?? "none yet");
        Row(html, "Lag (blocks)", c.LagBlocks.ToString(CultureInfo.InvariantCulture));
        Row(html, "Listener last poll", c.ListenerProgressAt?.ToString("u", CultureInfo.InvariantCulture) ?? "none yet");
        html.Append("</table>");
    }

    private static void RenderCounts(StringBuilder html, StatusPageModel m)
    {
        html.Append("<h2>Requests by status</h2>");
        if (m.Counts is null)
        {
            html.Append("<p class=\"bad\">Database unavailable: ").Append(E(m.StoreError ?? "unknown error")).Append("</p>");
            return;
        }
        html.Append("<table><tr>");
        foreach (var status in Enum.GetValues<RequestStatus>())
            html.Append("<th><a href=\"/?status=").Append(E(status.ToString())).Append("\">").Append(E(status.ToString())).Append("</a></th>");
        html.Append("<th>total</th></tr><tr>");
        foreach (var status in Enum.GetValues<RequestStatus>())
            html.Append("<td>").Append(m.Counts.GetValueOrDefault(status).ToString(CultureInfo.InvariantCulture)).Append("</td>");
        html.Append("<td>").Append(m.Counts.Values.Sum().ToString(CultureInfo.InvariantCulture)).Append("</td></tr></table>");
    }

    private static void RenderRequests(StringBuilder html, StatusPageModel m)
    {
        html.Append("<h2>").Append(m.Filter is { } f ? E(f.ToString()) + " requests (oldest update first)" : "Recent requests")
            .Append(m.Filter is null ? "" : " <a href=\"/\">show all</a>").Append("</h2>");
        if (m.Requests is not { } requests)
        {
            if (m.Counts is not null) html.Append("<p class=\"bad\">Database unavailable: ").Append(E(m.StoreError ?? "")).Append("</p>");
            return;
        }
        if (requests.Count == 0)
        {
            html.Append("<p class=\"muted\">No requests yet.</p>");
            return;
        }
        html.Append("<table><tr><th>request</th><th>status</th><th>model</th><th>requester</th><th>block</th>")
            .Append("<th>outcome</th><th>transaction</th>")
            .Append("<th title=\"gas of the transaction that carried the result; a batch's gas is shared by its requests\">gas</th>")
            .Append("<th>updated</th><th title=\"from first seen to last update\">latency</th><th>detail</th></tr>");
        foreach (var v in requests)
        {
            html.Append("<tr><td><code title=\"").Append(E(v.Key)).Append("\">").Append(E(v.RequestId)).Append("</code></td>")
                .Append("<td>").Append(E(v.Status)).Append("</td>")
                .Append("<td><code title=\"").Append(E(v.ModelId)).Append("\">").Append(E(Short(v.ModelId))).Append("</code></td>")
                .Append("<td><code title=\"").Append(E(v.Requester)).Append("\">").Append(E(Short(v.Requester))).Append("</code></td>")
                .Append("<td>").Append(v.BlockNumber.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(v.FailureReason is { } reason ? "<span class=\"bad\">" + E(reason) + "</span>"
                    : v.Output is { } output ? "<code title=\"" + E(output) + "\">" + E(Short(output)) + "</code>" : "")
                .Append("</td><td>").Append(TransactionCell(v.SubmissionTransactionHash, m.TransactionUrlFormat)).Append("</td>")
                .Append("<td class=\"gas\">").Append(GasCell(v.Gas)).Append("</td>")
                .Append("<td>").Append(E(v.UpdatedAt.ToString("u", CultureInfo.InvariantCulture))).Append("</td>")
                .Append("<td>").Append(E(Age(v.UpdatedAt - v.CreatedAt))).Append("</td>")
                .Append("<td>").Append(E(v.Detail ?? "")).Append("</td></tr>");
        }
        html.Append("</table>");
    }

    private static string TransactionCell(string? hash, string? urlFormat)
    {
        if (hash is null) return "";
        var text = "<code title=\"" + E(hash) + "\">" + E(Short(hash)) + "</code>";
        if (urlFormat is null) return text;
        var url = string.Format(CultureInfo.InvariantCulture, urlFormat, hash);
        return "<a href=\"" + E(url) + "\" rel=\"noreferrer\">" + text + "</a>";
    }

    /// <summary>The request's share of the gas, with the whole transaction in the tooltip; "—" until it is mined.</summary>
    internal static string GasCell(RequestGas? gas)
    {
        if (gas is null) return "<span class=\"muted\" title=\"not mined yet\">—</span>";
        var title = new StringBuilder();
        title.Append(gas.BatchSize == 1 ? "transaction " : string.Create(CultureInfo.InvariantCulture, $"batch of {gas.BatchSize} requests, transaction "))
            .Append(gas.TransactionHash).Append(gas.Reverted ? " (reverted)" : "").Append(": ").Append(Number(gas.TransactionGasUsed)).Append(" gas");
        if (gas.EffectiveGasPriceWei is { } price)
            title.Append(" at ").Append(Gwei(BigInteger.Parse(price, NumberStyles.None, CultureInfo.InvariantCulture))).Append(" gwei");
        if (gas.TransactionFeeWei is { } fee) title.Append(", fee ").Append(Ether(fee)).Append(" ETH");
        var cell = "<span title=\"" + E(title.ToString()) + "\">" + E(Number(gas.PerRequest)) + "</span>";
        if (gas.BatchSize > 1)
            cell += " <small class=\"muted\">" + E(string.Create(CultureInfo.InvariantCulture, $"1/{gas.BatchSize} of {Number(gas.TransactionGasUsed)}")) + "</small>";
        if (gas.Reverted) cell += " <small class=\"bad\">reverted</small>";
        return cell;
    }

    private static string Number(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Wei as gwei with up to 3 decimals, truncated (display only).</summary>
    internal static string Gwei(BigInteger wei)
    {
        var whole = BigInteger.DivRem(BigInteger.Abs(wei), BigInteger.Pow(10, 9), out var fraction);
        var decimals = fraction.ToString("D9", CultureInfo.InvariantCulture)[..3].TrimEnd('0');
        return (wei.Sign < 0 ? "-" : "") + whole.ToString(CultureInfo.InvariantCulture) + (decimals.Length > 0 ? "." + decimals : "");
    }

    private static void Row(StringBuilder html, string name, string value, bool code = false) =>
        html.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(code ? "<code>" + E(value) + "</code>" : E(value)).Append("</td></tr>");

    /// <summary>Wei as ether with up to 6 decimals, truncated (display only).</summary>
    internal static string Ether(BigInteger wei)
    {
        var whole = BigInteger.DivRem(BigInteger.Abs(wei), BigInteger.Pow(10, 18), out var fraction);
        var decimals = fraction.ToString("D18", CultureInfo.InvariantCulture)[..6].TrimEnd('0');
        return (wei.Sign < 0 ? "-" : "") + whole.ToString(CultureInfo.InvariantCulture) + (decimals.Length > 0 ? "." + decimals : "");
    }

    private static string Short(string hex) => hex.Length > 18 ? hex[..10] + "…" + hex[^6..] : hex;

    private static string Age(TimeSpan t) => t.TotalSeconds < 1
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms")
        : t.TotalMinutes < 2 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0} min");

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
