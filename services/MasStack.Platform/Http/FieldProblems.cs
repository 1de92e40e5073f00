using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Platform.Http;

public static class FieldProblems
{
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
