using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.Lines;

public sealed record SubscriptionView(
    long SubscriptionId, long AccountId, long UserId, SubscriptionType Type, NumberMode? NumberMode, string? Number, string? Iccid,
    string ProductCode, SubscriptionStatus Status, string? StatusReason, CancellationMotive? CancellationMotive,
    DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, DateTimeOffset? CancelledAt, DateTimeOffset? LastSimChangeAt,
    DateTimeOffset? SimChangeHoldUntil, DateTimeOffset UpdatedAt,
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

    private static async Task<Results<Ok<SubscriptionView>, NotFound>> Get(long subscriptionId, NpgsqlDataSource database, TimeProvider clock)
    {
        await using var connection = await database.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<SubscriptionRow>(
            """
            SELECT id, account_id AS AccountId, user_id AS UserId, type, number_mode AS NumberMode, number, iccid, product_code AS ProductCode,
                   status, status_reason AS StatusReason, cancellation_motive_id AS CancellationMotiveId, created_at AS CreatedAt,
                   activated_at AS ActivatedAt, cancelled_at AS CancelledAt, last_sim_change_at AS LastSimChangeAt,
                   sim_hold_until AS SimHoldUntil, updated_at AS UpdatedAt,
                   (SELECT email FROM agile_tv_logins WHERE subscription_id = subscriptions.id) AS AgileTvEmail
            FROM subscriptions WHERE id = @subscriptionId
            """, new { subscriptionId });
        if (row is null) return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new SubscriptionView(
            row.Id, row.AccountId, row.UserId, EnumText.Parse<SubscriptionType>(row.Type),
            row.NumberMode is null ? null : EnumText.Parse<NumberMode>(row.NumberMode), row.Number, row.Iccid, row.ProductCode,
            EnumText.Parse<SubscriptionStatus>(row.Status), row.StatusReason,
            row.CancellationMotiveId is { } motive ? CancellationMotives.Find(motive) : null,
            row.CreatedAt, row.ActivatedAt, row.CancelledAt, row.LastSimChangeAt,
            row.SimHoldUntil > now ? row.SimHoldUntil : null, row.UpdatedAt, row.AgileTvEmail));
    }

    private sealed record SubscriptionRow(
        long Id, long AccountId, long UserId, string Type, string? NumberMode, string? Number, string? Iccid, string ProductCode, string Status,
        string? StatusReason, int? CancellationMotiveId, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, DateTimeOffset? CancelledAt,
        DateTimeOffset? LastSimChangeAt, DateTimeOffset? SimHoldUntil, DateTimeOffset UpdatedAt, string? AgileTvEmail);
}
