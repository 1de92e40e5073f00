using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MasStack.Gateway;

/// <summary>
/// The gateway's security: bearer tokens validated locally against the keys the authority publishes (fetched through its
/// discovery document and cached; no call to it per request), authorization by route group and scope, the caller's
/// identity handed to the services (<c>X-Client-Id</c>, <c>X-Client-Scopes</c>, whatever the client sent is dropped),
/// rate limits per client and, on the token endpoint, per source address, and security headers on every response.
/// </summary>
public static class GatewaySecurity
{
    public const string ClientHeader = "X-Client-Id";
    public const string ScopesHeader = "X-Client-Scopes";

    public static TBuilder AddGatewaySecurity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var settings = builder.Configuration.GetSection(AuthenticationSettings.Section).Get<AuthenticationSettings>() ?? new AuthenticationSettings();
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(options => options.AddServerHeader = false);

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MetadataAddress = settings.MetadataAddress;
            options.RequireHttpsMetadata = settings.MetadataAddress.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            options.MapInboundClaims = false;
            // A key the gateway has not seen yet (the authority's key changed) refetches the key set, at most this often.
            options.RefreshInterval = TimeSpan.FromSeconds(30);
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = settings.Issuer,
                ValidAudience = settings.Audience,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                NameClaimType = "client_id",
            };
            options.Events = new JwtBearerEvents
            {
                OnChallenge = context =>
                {
                    context.HandleResponse();
                    var description = context.AuthenticateFailure is null ? "A bearer token is required." : "The bearer token is not valid.";
                    context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
                        ? "Bearer realm=\"masstack\""
                        : "Bearer realm=\"masstack\", error=\"invalid_token\", error_description=\"The token is expired, not signed by the authority, or not for this API\"";
                    return WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized", description);
                },
                OnForbidden = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
                    "The token's scopes do not include this operation."),
            };
        });
        // The key set is fetched through service discovery (http://identity), like every other call to a service.
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IHttpClientFactory>((options, clients) => options.Backchannel = clients.CreateClient("authority"));

        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<IAuthorizationPolicyProvider, ScopePolicyProvider>();
        builder.Services.AddSingleton<IProxyConfigFilter, RouteAccessFilter>();

        var limits = builder.Configuration.GetSection(RateLimitSettings.Section).Get<RateLimitSettings>() ?? new RateLimitSettings();
        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(RouteAccess.PerClientLimit, context =>
            {
                var client = RouteAccess.ClientOf(context.User) ?? "";
                return RateLimitPartition.GetTokenBucketLimiter(client, id => limits.For(id).ToOptions());
            });
            options.AddPolicy(RouteAccess.TokenEndpointLimit, context =>
                RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "", _ => limits.TokenEndpoint.ToOptions()));
            options.OnRejected = async (context, _) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? RateLimitSettings.RetryAfterSeconds(retryAfter)
                    : 1;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await WriteProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This client's request rate is over its limit; retry in {seconds} seconds.");
            };
        });
        return builder;
    }

    /// <summary>The proxied request carries who called, as the token says, and nothing a client claimed itself.</summary>
    public static void AddCallerTransform(TransformBuilderContext context) =>
        context.AddRequestTransform(transform =>
        {
            var headers = transform.ProxyRequest.Headers;
            headers.Remove(ClientHeader);
            headers.Remove(ScopesHeader);
            var user = transform.HttpContext.User;
            if (RouteAccess.ClientOf(user) is { } client)
            {
                headers.TryAddWithoutValidation(ClientHeader, client);
                headers.TryAddWithoutValidation(ScopesHeader, string.Join(' ', RouteAccess.ScopesOf(user).Order(StringComparer.Ordinal)));
            }
            return ValueTask.CompletedTask;
        });

    /// <summary>
    /// Security headers on every response, the gateway's own and the services': no banner, no sniffing or framing, no
    /// referrer, and nothing from <c>/api/v1</c> stored by a cache unless the service said otherwise.
    /// </summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var http = (HttpContext)state;
                var headers = http.Response.Headers;
                headers.Remove("Server");
                headers.Remove("X-Powered-By");
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                // The reference page runs the script and styles Scalar serves from /docs itself; nothing else runs any.
                headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/docs")
                    ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'"
                    : "default-src 'none'; frame-ancestors 'none'";
                if (http.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000";
                if (http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/connect"))
                {
                    if (headers.CacheControl.Count == 0) headers.CacheControl = "no-store";
                }
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
        return app;
    }

    /// <summary>The gateway's own answers: problem details, or CAMARA's error body on CAMARA's paths.</summary>
    public static Task WriteProblemAsync(HttpContext context, int status, string? title, string detail)
    {
        context.Response.StatusCode = status;
        if (CamaraErrors.Serves(context.Request.Path)) return CamaraErrors.WriteAsync(context, status, detail);
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}

/// <summary>Each route gets its authorization and rate-limit policy from its route group (<see cref="RouteAccess"/>).</summary>
internal sealed class RouteAccessFilter : IProxyConfigFilter
{
    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        var access = RouteAccess.For(route.RouteId, route.Metadata);
        return ValueTask.FromResult(route with { AuthorizationPolicy = access.AuthorizationPolicy, RateLimiterPolicy = access.RateLimiterPolicy });
    }

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => ValueTask.FromResult(cluster);
}

/// <summary>The policies <c>scopes:a b</c>: an authenticated client holding any one of the scopes a, b.</summary>
internal sealed class ScopePolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    private readonly ConcurrentDictionary<string, AuthorizationPolicy> _policies = new(StringComparer.Ordinal);

    public override Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (!policyName.StartsWith(RouteAccess.ScopePolicyPrefix, StringComparison.Ordinal)) return base.GetPolicyAsync(policyName);
        return Task.FromResult<AuthorizationPolicy?>(_policies.GetOrAdd(policyName, name =>
        {
            var accepted = RouteAccess.AcceptedBy(name);
            return new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => RouteAccess.ScopesOf(context.User).Overlaps(accepted))
                .Build();
        }));
    }
}

/// <summary>Where the gateway finds the authority and what it accepts (<c>Authentication</c> section).</summary>
public sealed class AuthenticationSettings
{
    public const string Section = "Authentication";
    public string MetadataAddress { get; set; } = "http://identity/.well-known/openid-configuration";
    public string Issuer { get; set; } = "http://identity/";
    public string Audience { get; set; } = "masstack-api";
}

/// <summary>A token bucket: <see cref="TokenLimit"/> requests at once, refilled by <see cref="TokensPerPeriod"/> each <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class TokenBucketSettings
{
    public int TokenLimit { get; set; } = 2000;
    public int TokensPerPeriod { get; set; } = 1000;
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    public TokenBucketRateLimiterOptions ToOptions() => new()
    {
        TokenLimit = TokenLimit,
        TokensPerPeriod = TokensPerPeriod,
        ReplenishmentPeriod = ReplenishmentPeriod,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

/// <summary>Rate limits (<c>RateLimiting</c> section): per client (<c>Default</c>, or <c>Clients:{id}</c>) and per source address on the token endpoint.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimiting";
    public TokenBucketSettings Default { get; set; } = new();
    public Dictionary<string, TokenBucketSettings> Clients { get; set; } = new(StringComparer.Ordinal);
    public TokenBucketSettings TokenEndpoint { get; set; } = new() { TokenLimit = 30, TokensPerPeriod = 10, ReplenishmentPeriod = TimeSpan.FromSeconds(10) };

    public TokenBucketSettings For(string client) => Clients.TryGetValue(client, out var own) ? own : Default;

    /// <summary>Whole seconds, at least one: Retry-After has no fractions.</summary>
    public static int RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
}

/// <summary>
/// CAMARA's APIs (the SIM Swap API at <c>/sim-swap</c>) answer errors in CAMARA's own body <c>{status, code, message}</c>,
/// not as RFC 9457 problems; the gateway's refusals on their paths too, so that a client generated from the CAMARA
/// document reads them.
/// </summary>
internal static class CamaraErrors
{
    public static bool Serves(PathString path) => path.StartsWithSegments("/sim-swap");

    public static Task WriteAsync(HttpContext context, int status, string message) =>
        context.Response.WriteAsJsonAsync(new { status, code = CodeOf(status), message });

    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "UNAUTHENTICATED",
        StatusCodes.Status403Forbidden => "PERMISSION_DENIED",
        StatusCodes.Status404NotFound => "NOT_FOUND",
        StatusCodes.Status429TooManyRequests => "TOO_MANY_REQUESTS",
        StatusCodes.Status502BadGateway => "BAD_GATEWAY",
        StatusCodes.Status503ServiceUnavailable => "UNAVAILABLE",
        StatusCodes.Status504GatewayTimeout => "TIMEOUT",
        >= 500 => "INTERNAL",
        _ => "INVALID_ARGUMENT",
    };
}
