using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Platform.Http;

/// <summary>The problem answers for a refused request (conventions.md): 409 for a state conflict, 422 for a business rule.</summary>
public static class Problems
{
    /// <summary>409: the request conflicts with the resource's state (the detail names the states).</summary>
    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(title: "Conflict with the resource's state", detail: detail, statusCode: StatusCodes.Status409Conflict);

    /// <summary>422: well-formed, refused by a business rule; <paramref name="field"/> names what the rule is about.</summary>
    public static ProblemHttpResult Refused(string detail, string? field = null) =>
        TypedResults.Problem(
            title: "Refused by a business rule", detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity,
            extensions: field is null ? null : new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });

    /// <summary>
    /// A refusal other than 400 that still names the fields it is about: 409 (a number already held by another sale,
    /// a SIM already assigned) or 422 (a product the bundle does not offer).
    /// </summary>
    public static ProblemHttpResult Refuse(this ValidationErrors errors, int status, string title) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Status = status,
            Title = title,
            Detail = string.Join(" ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
        });
}
