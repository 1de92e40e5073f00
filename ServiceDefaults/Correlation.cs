using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace MasStack.ServiceDefaults;

/// <summary>
/// The <c>x-correlator</c> a client may send is validated, echoed on the response and carried as trace baggage
/// (and from there into events), so one sale can be followed across services; every response also carries the
/// W3C <c>traceparent</c> of its trace, so a failed call can be found in the dashboard.
/// </summary>
public sealed class Correlation(RequestDelegate next, IProblemDetailsService problems)
{
    public const string Header = "x-correlator";

    public static bool IsValid(string value) =>
        value.Length is >= 1 and <= 256 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_:;./<>{}".Contains(c));

    public async Task InvokeAsync(HttpContext context)
    {
        var correlator = context.Request.Headers[Header].ToString();
        if (correlator.Length > 0 && !IsValid(correlator))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [Header] = ["Up to 256 characters of a-z, A-Z, 0-9 and -_:;./<>{}."],
                }) { Status = StatusCodes.Status400BadRequest },
            });
            return;
        }
        if (correlator.Length > 0) Activity.Current?.SetBaggage(Header, correlator);

        context.Response.OnStarting(() =>
        {
            if (correlator.Length > 0) context.Response.Headers[Header] = correlator;
            if (Activity.Current is { } activity) context.Response.Headers["traceparent"] = activity.Id;
            return Task.CompletedTask;
        });
        await next(context);
    }
}
