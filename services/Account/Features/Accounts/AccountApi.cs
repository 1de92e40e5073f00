using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Account.Features.Accounts;

public sealed record AccountView(
    long AccountId, long UserId, AccountStatus Status, PaymentType PaymentType, string BundleCode, int BillingDay, DateTimeOffset OpenedAt);

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
        return row is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new AccountView(row.Id, row.UserId, EnumText.Parse<AccountStatus>(row.Status),
                EnumText.Parse<PaymentType>(row.PaymentType), row.BundleCode, row.BillingDay, row.OpenedAt));
    }

    private sealed record AccountRow(long Id, long UserId, string Status, string PaymentType, string BundleCode, int BillingDay, DateTimeOffset OpenedAt);
}
