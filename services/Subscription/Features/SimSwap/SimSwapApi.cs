using System.Diagnostics;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.ServiceDefaults;
using MasStack.Subscription.Features.Lines;
using MasStack.Subscription.Features.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.SimSwap;

public sealed record SimReplacementRequest(string? NewIccid, SimSwapReason? Reason, IdentityCheck? IdentityCheck);

public sealed record SimReplacementView(
    long SimReplacementId, long SubscriptionId, string OldIccid, string NewIccid, string Network, SimSwapReason Reason,
    IdentityCheck IdentityCheck, DateTimeOffset ReplacedAt, DateTimeOffset HoldUntil, long WorkOrderId);

/// <summary>The CAMARA SIM Swap idea: the latest SIM change (null: never swapped), optionally checked against a maximum age.</summary>
public sealed record SimSwapInfo(
    long SubscriptionId, string? Number, DateTimeOffset? LatestSimChange, bool? Swapped, DateTimeOffset? HoldUntil,
    IReadOnlyList<SimSwapRecord> History);

public sealed record SimSwapRecord(string OldIccid, string NewIccid, SimSwapReason Reason, IdentityCheck IdentityCheck, DateTimeOffset SwappedAt);

public static class SimSwapApi
{
    public static IEndpointRouteBuilder MapSimSwapApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/subscriptions/{subscriptionId:long}").WithTags("SIM swap");
        api.MapPost("/sim-replacements", Replace).Transactional();
        api.MapGet("/sim-swap", Latest);
        return app;
    }

    private static async Task<Results<Created<SimReplacementView>, NotFound, ValidationProblem, ProblemHttpResult>> Replace(
        long subscriptionId, SimReplacementRequest request, HttpContext http, UnitOfWork db, SimStockClient stock, IdGenerator ids,
        WorkOrderSignal signal, TimeProvider clock)
    {
        var errors = new ValidationErrors();
        var newIccid = request.NewIccid?.Trim();
        if (errors.Required("newIccid", newIccid) && !Iccid.IsValid(newIccid))
            errors.Add("newIccid", "19 or 20 digits starting 8934, the last a Luhn check digit.");
        if (request.Reason is null) errors.Add("reason", $"One of {EnumText.Choices<SimSwapReason>()}.");
        if (request.IdentityCheck is null) errors.Add("identityCheck", $"The identity check made: one of {EnumText.Choices<IdentityCheck>()}.");
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        if (SimSwapRules.LineRefusal(line, newIccid!, now) is { } conflict) return Problems.Conflict(conflict);
        var heldElsewhere = await db.QuerySingleOrDefaultAsync<bool>(
            """
            SELECT EXISTS (SELECT 1 FROM subscriptions WHERE iccid = @newIccid AND status NOT IN ('cancelled', 'moved'))
                OR EXISTS (SELECT 1 FROM sim_swaps WHERE old_iccid = @newIccid)
            """, new { newIccid });
        if (heldElsewhere) return Problems.Conflict($"The SIM {newIccid} is not available: it is or was in service on a line.");

        var candidate = await stock.FindAsync(newIccid!, http.RequestAborted);
        var current = await stock.FindAsync(line.Iccid!, http.RequestAborted);
        if (SimSwapRules.SimRefusal(candidate, current, newIccid!) is { } refusal)
            return refusal.Status == StatusCodes.Status409Conflict ? Problems.Conflict(refusal.Detail) : Problems.Refused(refusal.Detail, "newIccid");

        var swap = new SimReplacementView(
            ids.Next(), line.Id, line.Iccid!, newIccid!, candidate!.Network, request.Reason!.Value, request.IdentityCheck!.Value, now,
            now + SimSwapRules.Hold, 0);
        await db.ExecuteAsync(
            """
            INSERT INTO sim_swaps (id, subscription_id, old_iccid, new_iccid, network, reason, identity_check, correlator, swapped_at, hold_until)
            VALUES (@SimReplacementId, @SubscriptionId, @OldIccid, @NewIccid, @Network, @Reason, @IdentityCheck, @correlator, @ReplacedAt, @HoldUntil)
            """,
            new
            {
                swap.SimReplacementId, swap.SubscriptionId, swap.OldIccid, swap.NewIccid, swap.Network, swap.ReplacedAt, swap.HoldUntil,
                Reason = EnumText.Of(swap.Reason), IdentityCheck = EnumText.Of(swap.IdentityCheck),
                correlator = Activity.Current?.GetBaggageItem(Correlation.Header),
            });
        var version = await db.QuerySingleOrDefaultAsync<long>(
            """
            UPDATE subscriptions SET iccid = @NewIccid, last_sim_change_at = @ReplacedAt, sim_hold_until = @HoldUntil, updated_at = @ReplacedAt,
                   version = version + 1
            WHERE id = @SubscriptionId RETURNING version
            """,
            new { swap.NewIccid, swap.ReplacedAt, swap.HoldUntil, swap.SubscriptionId });
        await db.PublishAsync(new SimReplaced(
            line.Id, line.AccountId, line.UserId, line.Number, swap.OldIccid, swap.NewIccid, swap.Network, line.Status,
            EnumText.Of(swap.Reason), EnumText.Of(swap.IdentityCheck), now, swap.HoldUntil, version));

        // The network must learn the new SIM too: a replace-sim work order, sent like any other.
        var workOrderId = await WorkOrderStore.CreateAsync(db, ids.Next(), line with { Iccid = swap.NewIccid }, WorkOrderType.ReplaceSim,
            new JsonObject { ["oldIccid"] = swap.OldIccid, ["newIccid"] = swap.NewIccid }, now, signal);
        return TypedResults.Created($"/api/v1/subscriptions/{line.Id}/sim-swap", swap with { WorkOrderId = workOrderId });
    }

    private static async Task<Results<Ok<SimSwapInfo>, NotFound, ValidationProblem>> Latest(
        long subscriptionId, int? maxAgeHours, NpgsqlDataSource database, TimeProvider clock)
    {
        if (maxAgeHours is < 1 or > 2400) return ValidationErrors.For("maxAgeHours", "From 1 to 2400.");
        await using var connection = await database.OpenConnectionAsync();
        if (await LineStore.FindAsync(connection, subscriptionId) is not { } line) return TypedResults.NotFound();
        var history = (await connection.QueryAsync<SwapRow>(
                """
                SELECT old_iccid AS OldIccid, new_iccid AS NewIccid, reason, identity_check AS IdentityCheck, swapped_at AS SwappedAt
                FROM sim_swaps WHERE subscription_id = @subscriptionId ORDER BY swapped_at DESC
                """,
                new { subscriptionId }))
            .Select(s => new SimSwapRecord(s.OldIccid, s.NewIccid, EnumText.Parse<SimSwapReason>(s.Reason), EnumText.Parse<IdentityCheck>(s.IdentityCheck), s.SwappedAt))
            .ToList();
        var now = clock.GetUtcNow();
        var latest = history.FirstOrDefault()?.SwappedAt;
        return TypedResults.Ok(new SimSwapInfo(
            line.Id, line.Number, latest,
            maxAgeHours is { } hours ? SimSwapRules.SwappedWithin(latest, TimeSpan.FromHours(hours), now) : null,
            SimSwapRules.HoldUntil(line, now), history));
    }

    private sealed record SwapRow(string OldIccid, string NewIccid, string Reason, string IdentityCheck, DateTimeOffset SwappedAt);
}
