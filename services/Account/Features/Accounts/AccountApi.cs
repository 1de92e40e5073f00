using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
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
        return app;
    }

    private static async Task<Results<Ok<AccountView>, NotFound>> Get(long accountId, NpgsqlDataSource database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(
            """
            SELECT id, user_id AS UserId, status, payment_type AS PaymentType, bundle_code AS BundleCode,
                   billing_day AS BillingDay, opened_at AS OpenedAt
            FROM accounts WHERE id = @accountId
            """, new { accountId });
        if (row is null) return TypedResults.NotFound();
        var lines = await connection.QueryAsync<(long SubscriptionId, string Type, string ProductCode, string Status)>(
            "SELECT subscription_id, type, product_code, status FROM account_subscriptions WHERE account_id = @accountId ORDER BY subscription_id",
            new { accountId });
        return TypedResults.Ok(new AccountView(row.Id, row.UserId, EnumText.Parse<AccountStatus>(row.Status),
            EnumText.Parse<PaymentType>(row.PaymentType), row.BundleCode, row.BillingDay, row.OpenedAt,
            lines.Select(l => new AccountLine(l.SubscriptionId, EnumText.Parse<SubscriptionType>(l.Type), l.ProductCode,
                EnumText.Parse<SubscriptionStatus>(l.Status))).ToList()));
    }

    private sealed record AccountRow(long Id, long UserId, string Status, string PaymentType, string BundleCode, int BillingDay, DateTimeOffset OpenedAt);
}
