using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Customer.Features.Tree;

public static class TreeApi
{
    public static IEndpointRouteBuilder MapTreeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Customer tree");
        api.MapGet("/users/{userId:long}/tree", ByUser).Produces<CustomerTree>();
        api.MapGet("/customer-tree", ByClientInfo).Produces<CustomerTree>();
        return app;
    }

    private static async Task<Results<ContentHttpResult, NotFound>> ByUser(long userId, CustomerTrees trees) =>
        await trees.GetJsonAsync(userId) is { } json ? TypedResults.Text(json, "application/json") : TypedResults.NotFound();

    /// <summary>The tree of the user found by exactly one of email, msisdn or documentNumber (normalized as stored).</summary>
    private static async Task<Results<ContentHttpResult, NotFound, ValidationProblem>> ByClientInfo(
        string? email, string? msisdn, string? documentNumber, CustomerTrees trees)
    {
        var given = new (string Name, string? Value)[] { ("email", email), ("msisdn", msisdn), ("documentNumber", documentNumber) }
            .Where(k => !string.IsNullOrWhiteSpace(k.Value)).ToList();
        if (given.Count != 1) return ValidationErrors.For("query", "Give exactly one of email, msisdn or documentNumber.");

        TreeLookup? lookup = given[0].Name switch
        {
            "email" => EmailAddress.Normalize(email) is { } e ? TreeLookup.Email(e) : null,
            "msisdn" => PhoneNumber.Normalize(msisdn) is { } n ? TreeLookup.Msisdn(n) : null,
            _ => documentNumber!.Replace(" ", "").Replace("-", "").ToUpperInvariant() is { Length: >= 6 and <= 12 } d && d.All(char.IsAsciiLetterOrDigit)
                ? TreeLookup.Document(d) : null,
        };
        if (lookup is null)
            return ValidationErrors.For(given[0].Name, given[0].Name switch
            {
                "email" => "Not a valid email address.",
                "msisdn" => "Not a valid Spanish phone number (612345678, +34612345678 or 0034612345678).",
                _ => "Not a valid document number (6 to 12 letters and digits).",
            });

        return await trees.FindJsonAsync(lookup.Value) is { } json ? TypedResults.Text(json, "application/json") : TypedResults.NotFound();
    }
}
