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

/// <summary>Malformed requests (broken JSON, a value of the wrong type, no body, a body too large, not JSON) become 4xx problems naming the field.</summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
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

    /// <summary><c>$.customer.birthDate</c> → <c>customer.birthDate</c>; no path means the body as a whole.</summary>
    public static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "body" : jsonPath.TrimStart('$', '.');
}
