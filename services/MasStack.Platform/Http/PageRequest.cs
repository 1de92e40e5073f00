using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Platform.Http;

/// <summary>
/// <c>offset</c> and <c>limit</c> (default 50, at most 200) as conventions.md sets them; a page carries
/// <c>X-Total-Count</c> (all matches) and <c>X-Result-Count</c> (this page), as TMF630 does.
/// </summary>
public readonly record struct PageRequest(int? Offset, int? Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Adds what is wrong with <c>offset</c> and <c>limit</c> to <paramref name="errors"/>.</summary>
    public void Validate(ValidationErrors errors)
    {
        if (Offset is < 0) errors.Add("offset", "Zero or more.");
        if (Limit is < 1 or > MaxLimit) errors.Add("limit", $"From 1 to {MaxLimit}.");
    }

    public Results<Ok<List<T>>, ValidationProblem> Apply<T>(IEnumerable<T> matches, HttpContext http)
    {
        var errors = new ValidationErrors();
        Validate(errors);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        var all = matches as IReadOnlyCollection<T> ?? matches.ToList();
        var page = all.Skip(Offset ?? 0).Take(Limit ?? DefaultLimit).ToList();
        http.Response.Headers["X-Total-Count"] = all.Count.ToString();
        http.Response.Headers["X-Result-Count"] = page.Count.ToString();
        return TypedResults.Ok(page);
    }
}
