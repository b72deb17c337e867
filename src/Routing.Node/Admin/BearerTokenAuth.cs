using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Routing.Node.Admin;

/// <summary>
/// Every admin call carries <c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750 §2.1); only <c>/metrics</c> may be
/// opened by configuration. The comparison is constant-time so the token cannot be guessed byte by byte.
/// </summary>
public sealed class BearerTokenAuth
{
    private readonly byte[] _token;
    private readonly bool _metricsOpen;

    public BearerTokenAuth(string token, bool metricsOpen)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _token = Encoding.UTF8.GetBytes(token);
        _metricsOpen = metricsOpen;
    }

    public bool IsOpen(PathString path) => _metricsOpen && path.Equals("/metrics", StringComparison.Ordinal);

    public bool IsAuthorized(string? authorizationHeader)
    {
        const string scheme = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(authorizationHeader.AsSpan(scheme.Length).Trim().ToString());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (IsOpen(context.Request.Path) || IsAuthorized(context.Request.Headers.Authorization))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"routing-admin\"";
        await context.Response.WriteAsJsonAsync(new ErrorResponse("unauthorized",
            "missing or wrong bearer token; the node's token is in <data>/admin.token"));
    }
}
