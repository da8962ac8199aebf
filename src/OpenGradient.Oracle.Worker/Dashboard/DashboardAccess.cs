using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace OpenGradient.Oracle.Worker.Dashboard;

/// <summary>
/// Who may use the dashboard. Without <c>Dashboard:Auth</c> the host binds loopback only, and this refuses anything
/// that is not a loopback client (defence in depth). With credentials, every request needs them, loopback included:
/// a reverse proxy on the same machine would otherwise make every remote caller look local. The health probes stay
/// open so orchestrators can call them without secrets; they reveal nothing but up/down and a reason.
/// </summary>
internal sealed class DashboardAccessMiddleware(RequestDelegate next, IOptions<DashboardOptions> options)
{
    private const string Scheme = "Basic";
    private readonly byte[] _expectedUser = Digest(options.Value.Auth.Username);
    private readonly byte[] _expectedPassword = Digest(options.Value.Auth.Password);

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (!options.Value.Auth.IsConfigured)
        {
            if (DashboardBinding.IsLoopback(context.Connection.RemoteIpAddress))
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("the dashboard answers loopback clients only (see Dashboard:AllowRemote)").ConfigureAwait(false);
            return;
        }

        if (TryAuthenticate(context.Request.Headers.Authorization.ToString(), out var user))
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], Scheme));
            await next(context).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"og-oracle\", charset=\"UTF-8\"";
    }

    private bool TryAuthenticate(string header, out string user)
    {
        user = "";
        if (!header.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[(Scheme.Length + 1)..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return false;
        user = decoded[..colon];
        // Compare digests so neither the length nor the content leaks through timing; check both before deciding.
        var userOk = CryptographicOperations.FixedTimeEquals(Digest(user), _expectedUser);
        var passwordOk = CryptographicOperations.FixedTimeEquals(Digest(decoded[(colon + 1)..]), _expectedPassword);
        return userOk & passwordOk;
    }

    private static byte[] Digest(string? value) => SHA256.HashData(Encoding.UTF8.GetBytes(value ?? ""));
}

/// <summary>Hangfire's own gate: loopback clients, or a caller <see cref="DashboardAccessMiddleware"/> authenticated.</summary>
internal sealed class HangfireDashboardAccess : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        return http.User.Identity?.IsAuthenticated == true || DashboardBinding.IsLoopback(http.Connection.RemoteIpAddress);
    }
}
