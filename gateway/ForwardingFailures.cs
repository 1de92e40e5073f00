using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Yarp.ReverseProxy.Forwarder;

namespace MasStack.Gateway;

/// <summary>
/// First step of the proxy pipeline. A service that cannot be reached (connection refused, timed out, nothing resolved)
/// answers 503 problem details with <c>Retry-After</c> and the service's name instead of YARP's bare 502/503/504; a body
/// the client got wrong (too large, cut short) answers its 4xx as problem details too (on CAMARA's paths, in CAMARA's
/// error body). Whatever a service did answer passes through untouched.
/// </summary>
internal sealed class ForwardingFailures(RequestDelegate next)
{
    public const int RetryAfterSeconds = 5;

    public async Task InvokeAsync(HttpContext context)
    {
        // A service's own response, an empty 404 included, is not rewritten by the gateway's status-code pages.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages) statusCodePages.Enabled = false;

        var bodyLimit = BodyLimit(context);
        if (context.Request.ContentLength > bodyLimit)
        {
            await WriteAsync(context, TooLarge(bodyLimit.Value));
            return;
        }

        await next(context);

        var failure = context.GetForwarderErrorFeature();
        if (failure is null || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return;

        var status = context.Response.StatusCode;
        var problem = failure.Error == ForwarderError.RequestBodyClient && status is >= 400 and < 500
            ? status == StatusCodes.Status413PayloadTooLarge && bodyLimit is { } limit
                ? TooLarge(limit)
                : new ProblemDetails { Status = status, Detail = "The request body could not be read." }
            : Unavailable(context.GetReverseProxyFeature().Cluster.Config.ClusterId);
        await WriteAsync(context, problem);
    }

    /// <summary>
    /// The route's <c>MaxRequestBodySize</c> (-1: none) or else the server's; YARP itself applies the route's value
    /// only inside its forwarder, after this middleware, so a body announced too large is refused here before
    /// anything is sent to the service.
    /// </summary>
    private static long? BodyLimit(HttpContext context) => context.GetRouteModel().Config.MaxRequestBodySize switch
    {
        null => context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize,
        < 0 => null,
        var routeLimit => routeLimit,
    };

    private static ProblemDetails TooLarge(long limit) => new()
    {
        Status = StatusCodes.Status413PayloadTooLarge,
        Detail = $"The request body is larger than the {limit} bytes this operation accepts.",
    };

    private static ProblemDetails Unavailable(string service) => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "Service unavailable",
        Detail = $"The {service} service is not answering; retry in {RetryAfterSeconds} seconds.",
    };

    private static Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.Clear();
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        return GatewaySecurity.WriteProblemAsync(context, problem.Status!.Value, problem.Title, problem.Detail!);
    }
}
