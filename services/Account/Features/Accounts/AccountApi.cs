using MasStack.Contracts;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Account.Features.Accounts;

public sealed record AccountView(
    long AccountId, long UserId, AccountStatus Status, PaymentType PaymentType, string BundleCode, int BillingDay, DateTimeOffset OpenedAt,
    IReadOnlyList<AccountLine> Subscriptions);

public sealed record AccountLine(long SubscriptionId, SubscriptionType Type, string ProductCode, SubscriptionStatus Status);

public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Accounts");
        api.MapGet("/accounts/{accountId:long}", Get);
        api.MapGet("/users/{userId:long}/accounts", ForUser);
        return app;
    }

    private static async Task<Results<Ok<AccountView>, NotFound>> Get(long accountId, NpgsqlDataSource database)
    {
        if (await AccountStore.GetAsync(database, accountId) is not { } account) return TypedResults.NotFound();
        var lines = await AccountStore.LinesAsync(database, accountId);
        return TypedResults.Ok(account.View(lines[accountId]));
    }

    /// <summary>
    /// The user's accounts, oldest first, paged. Every user is created with an account by their sale, so a user with
    /// none is one Account has never heard of: 404.
    /// </summary>
    private static async Task<Results<Ok<List<AccountView>>, NotFound, ValidationProblem>> ForUser(
        long userId, [AsParameters] PageRequest page, NpgsqlDataSource database, HttpContext http)
    {
        var accounts = await AccountStore.ForUserAsync(database, userId);
        if (accounts.Count == 0) return TypedResults.NotFound();
        var lines = await AccountStore.LinesAsync(database, accounts.Select(a => a.Id).ToArray());
        return page.ApplyOrNotFound(accounts.Select(a => a.View(lines[a.Id])), http);
    }
}
