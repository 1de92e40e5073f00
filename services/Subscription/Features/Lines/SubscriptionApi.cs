using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using MasStack.Subscription.Features.Installation;
using MasStack.Subscription.Features.PortOut;
using MasStack.Subscription.Features.Termination;
using Npgsql;

namespace MasStack.Subscription.Features.Lines;

public sealed record SubscriptionView(
    long SubscriptionId, long AccountId, long UserId, SubscriptionType Type, NumberMode? NumberMode, string? Number, string? Iccid,
    string ProductCode, SubscriptionStatus Status, string? StatusReason, CancellationMotive? CancellationMotive,
    DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, DateTimeOffset? CancelledAt, DateTimeOffset? LastSimChangeAt,
    DateTimeOffset? SimChangeHoldUntil, DateTimeOffset UpdatedAt, bool Barred, IReadOnlyList<string> Barrings, string SimStatus,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? SimBlockReason,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? AgileTvEmail = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    LinePortability? Portability = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    LineInstallation? Installation = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    LineTermination? Termination = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<PortOutView>? PortOuts = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DateTimeOffset? EndedAt = null);

/// <summary>A ported number's progress: requested → donor-validation → accepted | rejected → scheduled (window) → ported | cancelled.</summary>
public sealed record LinePortability(string DonorOperator, string State, string? Reason, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd);

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
        await using var connection = await database.OpenSnapshotAsync();
        var row = await connection.QuerySingleOrDefaultAsync<SubscriptionRow>(
            """
            SELECT s.id, s.account_id AS AccountId, s.user_id AS UserId, s.type, s.number_mode AS NumberMode, s.number, s.iccid,
                   s.product_code AS ProductCode, s.status, s.status_reason AS StatusReason, s.cancellation_motive_id AS CancellationMotiveId,
                   s.created_at AS CreatedAt, s.activated_at AS ActivatedAt, s.cancelled_at AS CancelledAt,
                   s.last_sim_change_at AS LastSimChangeAt, s.sim_hold_until AS SimHoldUntil, s.updated_at AS UpdatedAt, s.ended_at AS EndedAt,
                   s.barred, array_to_string(s.barrings, ',') AS Barrings, s.sim_status AS SimStatus, s.sim_block_reason AS SimBlockReason,
                   (SELECT email FROM agile_tv_logins WHERE subscription_id = s.id) AS AgileTvEmail,
                   p.donor_operator AS DonorOperator, p.state AS PortabilityState, p.reason AS PortabilityReason,
                   p.window_start AS WindowStart, p.window_end AS WindowEnd
            FROM subscriptions s LEFT JOIN subscription_portability p ON p.subscription_id = s.id
            WHERE s.id = @subscriptionId
            """, new { subscriptionId });
        if (row is null) return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        var status = EnumText.Parse<SubscriptionStatus>(row.Status);
        var installation = await Installations.OfAsync(connection, subscriptionId);
        var termination = await TerminationApi.OfAsync(connection, subscriptionId);
        var portOuts = await PortOutApi.OfAsync(connection, subscriptionId);
        return TypedResults.Ok(new SubscriptionView(
            row.Id, row.AccountId, row.UserId, EnumText.Parse<SubscriptionType>(row.Type),
            row.NumberMode is null ? null : EnumText.Parse<NumberMode>(row.NumberMode), row.Number, row.Iccid, row.ProductCode,
            status, row.StatusReason,
            row.CancellationMotiveId is { } motive ? CancellationMotives.Find(motive) : null,
            row.CreatedAt, row.ActivatedAt, row.CancelledAt, row.LastSimChangeAt,
            row.SimHoldUntil > now && LineLifecycle.IsLive(status) ? row.SimHoldUntil : null, row.UpdatedAt,
            row.Barred, row.Barrings.Split(',', StringSplitOptions.RemoveEmptyEntries), row.SimStatus, row.SimBlockReason, row.AgileTvEmail,
            row.PortabilityState is null
                ? null
                : new LinePortability(row.DonorOperator!, row.PortabilityState, row.PortabilityReason, row.WindowStart, row.WindowEnd),
            installation, termination, portOuts.Count > 0 ? portOuts : null, row.EndedAt));
    }

    private sealed record SubscriptionRow(
        long Id, long AccountId, long UserId, string Type, string? NumberMode, string? Number, string? Iccid, string ProductCode, string Status,
        string? StatusReason, int? CancellationMotiveId, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, DateTimeOffset? CancelledAt,
        DateTimeOffset? LastSimChangeAt, DateTimeOffset? SimHoldUntil, DateTimeOffset UpdatedAt, DateTimeOffset? EndedAt, bool Barred, string Barrings,
        string SimStatus, string? SimBlockReason, string? AgileTvEmail,
        string? DonorOperator, string? PortabilityState, string? PortabilityReason, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd);
}
