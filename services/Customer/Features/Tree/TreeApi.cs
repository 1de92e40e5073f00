using Dapper;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

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
        string? email, string? msisdn, string? documentNumber, NpgsqlDataSource database, CustomerTrees trees)
    {
        var errors = new ValidationErrors();
        var given = new (string Name, string? Value)[] { ("email", email), ("msisdn", msisdn), ("documentNumber", documentNumber) }
            .Where(k => !string.IsNullOrWhiteSpace(k.Value)).ToList();
        if (given.Count != 1)
        {
            errors.Add("query", "Give exactly one of email, msisdn or documentNumber.");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var (sql, value) = given[0].Name switch
        {
            "email" => ("SELECT id FROM users WHERE email = @value", EmailAddress.Normalize(email)),
            "msisdn" => ("SELECT user_id FROM tree_subscriptions WHERE number = @value LIMIT 1", PhoneNumber.Normalize(msisdn)),
            _ => ("SELECT id FROM users WHERE document_number = @value",
                  documentNumber!.Replace(" ", "").Replace("-", "").ToUpperInvariant()),
        };
        if (value is null)
        {
            errors.Add(given[0].Name, given[0].Name == "email" ? "Not a valid email address." : "Not a valid Spanish phone number.");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        await using var connection = await database.OpenConnectionAsync();
        var userId = await connection.QuerySingleOrDefaultAsync<long?>(sql, new { value });
        return userId is { } id && await trees.GetJsonAsync(id) is { } json
            ? TypedResults.Text(json, "application/json")
            : TypedResults.NotFound();
    }
}
