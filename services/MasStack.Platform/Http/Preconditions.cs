using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Platform.Http;

/// <summary>
/// Optimistic concurrency as conventions.md sets it: a resource's <c>ETag</c> is its row version (<c>"7"</c>);
/// an update needs <c>If-Match</c> — missing is 428, stale is 412.
/// </summary>
public static class Preconditions
{
    public static string ETagOf(int version) => $"\"{version}\"";

    public static void SetETag(HttpContext http, int version) => http.Response.Headers.ETag = ETagOf(version);

    /// <summary>Null when <c>If-Match</c> names the current version (or <c>*</c>); else the 428 or 412 problem to answer.</summary>
    public static ProblemHttpResult? CheckIfMatch(HttpRequest request, int currentVersion)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(ifMatch))
            return TypedResults.Problem(
                title: "Precondition required",
                detail: "Send If-Match with the ETag of the resource as last read.",
                statusCode: StatusCodes.Status428PreconditionRequired);

        var current = ETagOf(currentVersion);
        var matches = ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(tag => tag == "*" || tag == current);
        return matches
            ? null
            : TypedResults.Problem(
                title: "Precondition failed",
                detail: $"The resource has changed since it was read (its ETag is now {current}); read it again and retry.",
                statusCode: StatusCodes.Status412PreconditionFailed);
    }
}
