using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.Lines;

public sealed record SubscriptionView(
    long SubscriptionId, long AccountId, SubscriptionType Type, NumberMode? NumberMode, string? Number, string? Iccid,
    string ProductCode, SubscriptionStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? AgileTvEmail = null);

public static class SubscriptionApi
{
    public static IEndpointRouteBuilder MapSubscriptionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Subscriptions");
        api.MapGet("/subscriptions/{subscriptionId:long}", Get);
        return app;
    }

    private static async Task<Results<Ok<SubscriptionView>, NotFound>> Get(long subscriptionId, NpgsqlDataSource database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<SubscriptionRow>(
            """
            SELECT id, account_id AS AccountId, type, number_mode AS NumberMode, number, iccid, product_code AS ProductCode,
                   status, created_at AS CreatedAt, updated_at AS UpdatedAt,
                   (SELECT email FROM agile_tv_logins WHERE subscription_id = subscriptions.id) AS AgileTvEmail
            FROM subscriptions WHERE id = @subscriptionId
            """, new { subscriptionId });
        return row is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new SubscriptionView(
                row.Id, row.AccountId, EnumText.Parse<SubscriptionType>(row.Type),
                row.NumberMode is null ? null : EnumText.Parse<NumberMode>(row.NumberMode), row.Number, row.Iccid, row.ProductCode,
                EnumText.Parse<SubscriptionStatus>(row.Status), row.CreatedAt, row.UpdatedAt, row.AgileTvEmail));
    }

    private sealed record SubscriptionRow(
        long Id, long AccountId, string Type, string? NumberMode, string? Number, string? Iccid, string ProductCode, string Status,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? AgileTvEmail);
}
