using System.Globalization;
using System.Net;

namespace OpenGradient.Oracle.Worker.Dashboard;

/// <summary>The <c>Dashboard</c> section: where the status page, <c>/hangfire</c>, <c>/api</c>, health and metrics listen.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>Semicolon-separated listen URLs. Port 0 picks a free port (tests).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Permit a non-loopback address in <see cref="Urls"/>; also requires <see cref="Auth"/> credentials.</summary>
    public bool AllowRemote { get; set; }

    public DashboardAuthOptions Auth { get; set; } = new();

    /// <summary>How many requests the status page lists.</summary>
    public int RecentRequests { get; set; } = 50;

    /// <summary>
    /// Turns a transaction hash into a block-explorer link on the status page, e.g.
    /// <c>https://sepolia.etherscan.io/tx/{0}</c>. Null: hashes are shown without links.
    /// </summary>
    public string? TransactionUrlFormat { get; set; }
}

/// <summary>HTTP basic credentials for the dashboard. Both set, or neither.</summary>
public sealed class DashboardAuthOptions
{
    public string? Username { get; set; }

    /// <summary>Prefer the environment (<c>OG_ORACLE__Dashboard__Auth__Password</c>) to the file.</summary>
    public string? Password { get; set; }

    internal bool IsConfigured => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);
}

/// <summary>Checks <see cref="DashboardOptions"/> and decides which URLs Kestrel may bind.</summary>
internal static class DashboardBinding
{
    /// <summary>Returns the problems (empty when the options are usable), each naming the setting.</summary>
    public static List<string> Validate(DashboardOptions o)
    {
        var problems = new List<string>();
        var urls = SplitUrls(o.Urls);
        if (urls.Length == 0)
            problems.Add("Dashboard:Urls is empty; set a listen URL such as http://127.0.0.1:5080");

        var remote = new List<string>();
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                    UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.AbsolutePath != "/")
            {
                problems.Add($"Dashboard:Urls contains '{url}', which is not an http(s)://host:port URL; use e.g. http://127.0.0.1:5080");
                continue;
            }
            if (!IsLoopbackHost(uri.Host)) remote.Add(url);
        }

        if (remote.Count > 0)
        {
            var which = string.Join(", ", remote);
            if (!o.AllowRemote)
                problems.Add($"Dashboard:Urls binds a non-loopback address ({which}); the dashboard stays on 127.0.0.1 unless "
                             + "Dashboard:AllowRemote is true and Dashboard:Auth:Username and Dashboard:Auth:Password are set");
            else if (!o.Auth.IsConfigured)
                problems.Add($"Dashboard:AllowRemote is true but Dashboard:Auth:Username and Dashboard:Auth:Password are not both set; "
                             + $"refusing to expose the dashboard on {which} without authentication");
        }

        if (string.IsNullOrEmpty(o.Auth.Username) != string.IsNullOrEmpty(o.Auth.Password))
            problems.Add("Dashboard:Auth needs both Username and Password (or neither)");
        if (o.RecentRequests is < 1 or > 1000)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Dashboard:RecentRequests is {o.RecentRequests}; use 1..1000"));
        if (o.TransactionUrlFormat is { } format && !format.Contains("{0}", StringComparison.Ordinal))
            problems.Add($"Dashboard:TransactionUrlFormat '{format}' has no {{0}} placeholder for the transaction hash");
        return problems;
    }

    public static string[] SplitUrls(string? urls) =>
        (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static bool IsLoopbackHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    internal static bool IsLoopback(IPAddress? remote) =>
        remote is not null && (IPAddress.IsLoopback(remote) || (remote.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(remote.MapToIPv4())));
}
