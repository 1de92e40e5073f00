using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace MasStack.ServiceDefaults;

/// <summary>RFC 9457 problem details for every error: <c>instance</c> and <c>traceId</c> always, never a stack trace.</summary>
public static class ProblemDetailsSetup
{
    public static void Customize(Microsoft.AspNetCore.Http.ProblemDetailsOptions options) =>
        options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            problem.Extensions.Remove("exception");
            if (problem.Status >= 500) problem.Detail ??= "An unexpected error occurred; quote the traceId when reporting it.";
        };
}

/// <summary>
/// Malformed requests (broken JSON, a value of the wrong type, no body, a body too large, not JSON) become 4xx problems
/// naming the field; a dependency that does not answer becomes 503 with <c>Retry-After</c>.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is DependencyUnavailableException unavailable) return await UnavailableAsync(httpContext, unavailable);
        if (exception is not BadHttpRequestException bad) return false;

        var (field, message) = exception.InnerException is JsonException json
            ? (FieldOf(json.Path), "The value is not valid JSON of the expected shape.")
            : ("body", bad.Message);
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = bad.StatusCode,
                Detail = bad.StatusCode == StatusCodes.Status400BadRequest ? "The request is malformed." : bad.Message,
            },
        });
    }

    private async Task<bool> UnavailableAsync(HttpContext httpContext, DependencyUnavailableException exception)
    {
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = DependencyUnavailableException.RetryAfterSeconds.ToString();
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = $"{exception.Message} Retry in {DependencyUnavailableException.RetryAfterSeconds} seconds.",
            },
        });
    }

    /// <summary><c>$.customer.birthDate</c> → <c>customer.birthDate</c>; no path means the body as a whole.</summary>
    public static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "body" : jsonPath.TrimStart('$', '.');
}
