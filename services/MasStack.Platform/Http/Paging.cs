using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Platform.Http;

public static class Paging
{
    /// <summary>A page of <paramref name="matches"/>, or 404 when the list's owner does not exist (null).</summary>
    public static Results<Ok<List<T>>, NotFound, ValidationProblem> ApplyOrNotFound<T>(this PageRequest page, IEnumerable<T>? matches, HttpContext http)
    {
        if (matches is null) return TypedResults.NotFound();
        return page.Apply(matches, http).Result switch
        {
            Ok<List<T>> ok => ok,
            ValidationProblem problem => problem,
            var other => throw new InvalidOperationException($"PageRequest answered {other?.GetType().Name}."),
        };
    }
}
