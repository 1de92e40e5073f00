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

/// <summary>
/// The CAMARA SIM Swap idea: the latest SIM change (null: never swapped), optionally checked against a maximum age; and
/// whether the SIM is blocked (<see cref="SimStatus"/>), as lost or stolen for one (<see cref="SimBlockReason"/>), as Barring says.
/// </summary>
public sealed record SimSwapInfo(
    long SubscriptionId, string? Number, DateTimeOffset? LatestSimChange, bool? Swapped, DateTimeOffset? HoldUntil,
    IReadOnlyList<SimSwapRecord> History, string SimStatus, string? SimBlockReason);

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

    /// <summary>
    /// Swaps the line's SIM in three steps, none holding a transaction across the network: check the line (a read),
    /// claim the new SIM at Signup (which owns the stock: of two claims on one SIM exactly one wins), then change the
    /// line in this request's transaction. If the line cannot change after the claim, the claim is released. Should
    /// the process die between the claim and the commit, the stock shows the swap and the line does not until the
    /// swap is asked again: the claim is idempotent for the line, so the repeat completes it.
    /// </summary>
    private static async Task<Results<Created<SimReplacementView>, NotFound, ValidationProblem, ProblemHttpResult>> Replace(
        long subscriptionId, SimReplacementRequest request, HttpContext http, NpgsqlDataSource database, UnitOfWork db, SimStockClient stock,
        IdGenerator ids, WorkOrderSignal signal, TimeProvider clock)
    {
        var errors = new ValidationErrors();
        var newIccid = request.NewIccid?.Trim();
        if (errors.Required("newIccid", newIccid) && !Iccid.IsValid(newIccid))
            errors.Add("newIccid", "19 or 20 digits starting 8934, the last a Luhn check digit.");
        if (request.Reason is null) errors.Add("reason", $"One of {EnumText.Choices<SimSwapReason>()}.");
        if (request.IdentityCheck is null) errors.Add("identityCheck", $"The identity check made: one of {EnumText.Choices<IdentityCheck>()}.");
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        Line? line;
        await using (var connection = await database.OpenConnectionAsync())
        {
            if ((line = await LineStore.FindAsync(connection, subscriptionId)) is null) return TypedResults.NotFound();
            if (SimSwapRules.LineRefusal(line, newIccid!, clock.GetUtcNow()) is { } conflict) return Problems.Conflict(conflict);
            if (await HeldElsewhereAsync(connection, newIccid!)) return Problems.Conflict($"The SIM {newIccid} is not available: it is or was in service on a line.");
        }

        var swapId = ids.Next();
        var claim = await stock.ClaimAsync(newIccid!, line.Id, line.Iccid!, swapId, http.RequestAborted);
        if (claim.RefusalStatus is { } status)
            return status == StatusCodes.Status409Conflict ? Problems.Conflict(claim.RefusalDetail!) : Problems.Refused(claim.RefusalDetail!, "newIccid");

        try
        {
            var (swap, refusal, keepClaim) = await ChangeLineAsync(db, ids, signal, clock, swapId, line, newIccid!, claim.Sim!.Network, request);
            if (swap is not null) return TypedResults.Created($"/api/v1/subscriptions/{line.Id}/sim-swap", swap);
            if (!keepClaim) await stock.ReleaseAsync(newIccid!, line.Id, line.Iccid!, swapId);
            return Problems.Conflict(refusal!);
        }
        catch (Exception)
        {
            await stock.ReleaseAsync(newIccid!, line.Id, line.Iccid!, swapId);
            throw;
        }
    }

    private static Task<bool> HeldElsewhereAsync(NpgsqlConnection connection, string newIccid) =>
        connection.QuerySingleOrDefaultAsync<bool>(
            $"""
            SELECT EXISTS (SELECT 1 FROM subscriptions WHERE iccid = @newIccid AND status NOT IN ({EndedLines.Sql}))
                OR EXISTS (SELECT 1 FROM sim_swaps WHERE old_iccid = @newIccid)
            """, new { newIccid });

    /// <summary>
    /// The line takes the claimed SIM, in this request's transaction: audited, announced (Signup's stock confirms it from
    /// <see cref="SimReplaced"/>) and sent to the network as a work order. Or why not: the line changed since it was read
    /// (keepClaim when it changed to this very SIM: a concurrent repeat of the swap won), or another line holds the SIM.
    /// </summary>
    private static async Task<(SimReplacementView? Swap, string? Refusal, bool KeepClaim)> ChangeLineAsync(
        UnitOfWork db, IdGenerator ids, WorkOrderSignal signal, TimeProvider clock, long swapId, Line checkedLine, string newIccid, string network,
        SimReplacementRequest request)
    {
        var now = clock.GetUtcNow();
        if (await LineStore.LoadForUpdateAsync(db, checkedLine.Id) is not { } line) return (null, "The line is gone.", false);
        if (line.Iccid == newIccid) return (null, $"The line already has the SIM {newIccid}.", true);
        if (line.Iccid != checkedLine.Iccid) return (null, "The line's SIM changed while the swap was being made.", false);
        if (SimSwapRules.LineRefusal(line, newIccid, now) is { } conflict) return (null, conflict, false);

        var swap = new SimReplacementView(
            swapId, line.Id, line.Iccid!, newIccid, network, request.Reason!.Value, request.IdentityCheck!.Value, now, now + SimSwapRules.Hold, 0);
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
        long version;
        try
        {
            version = await db.QuerySingleOrDefaultAsync<long>(
                """
                UPDATE subscriptions SET iccid = @NewIccid, last_sim_change_at = @ReplacedAt, sim_hold_until = @HoldUntil, updated_at = @ReplacedAt,
                       version = version + 1
                WHERE id = @SubscriptionId RETURNING version
                """,
                new { swap.NewIccid, swap.ReplacedAt, swap.HoldUntil, swap.SubscriptionId });
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return (null, $"The SIM {newIccid} is in service on another line.", false);
        }
        await db.PublishAsync(new SimReplaced(
            line.Id, line.AccountId, line.UserId, line.Number, swap.OldIccid, swap.NewIccid, swap.Network, line.Status,
            EnumText.Of(swap.Reason), EnumText.Of(swap.IdentityCheck), now, swap.HoldUntil, version));

        // The network must learn the new SIM too: a replace-sim work order, sent like any other.
        var workOrderId = await WorkOrderStore.CreateAsync(db, ids.Next(), line with { Iccid = swap.NewIccid }, WorkOrderType.ReplaceSim,
            new JsonObject { ["oldIccid"] = swap.OldIccid, ["newIccid"] = swap.NewIccid }, now, signal);
        return (swap with { WorkOrderId = workOrderId }, null, false);
    }

    private static async Task<Results<Ok<SimSwapInfo>, NotFound, ValidationProblem>> Latest(
        long subscriptionId, int? maxAgeHours, NpgsqlDataSource database, TimeProvider clock)
    {
        if (maxAgeHours is < 1 or > 2400) return ValidationErrors.For("maxAgeHours", "From 1 to 2400.");
        await using var connection = await database.OpenSnapshotAsync();
        if (await LineStore.FindAsync(connection, subscriptionId) is not { } line) return TypedResults.NotFound();
        var history = (await connection.QueryAsync<SwapRow>(
                """
                SELECT old_iccid AS OldIccid, new_iccid AS NewIccid, reason, identity_check AS IdentityCheck, swapped_at AS SwappedAt
                FROM sim_swaps WHERE subscription_id = @subscriptionId ORDER BY swapped_at DESC
                """,
                new { subscriptionId }))
            .Select(s => new SimSwapRecord(s.OldIccid, s.NewIccid, EnumText.Parse<SimSwapReason>(s.Reason), EnumText.Parse<IdentityCheck>(s.IdentityCheck), s.SwappedAt))
            .ToList();
        var sim = await connection.QuerySingleAsync<(string Status, string? BlockReason)>(
            "SELECT sim_status, sim_block_reason FROM subscriptions WHERE id = @subscriptionId", new { subscriptionId });
        var now = clock.GetUtcNow();
        var latest = history.FirstOrDefault()?.SwappedAt;
        return TypedResults.Ok(new SimSwapInfo(
            line.Id, line.Number, latest,
            maxAgeHours is { } hours ? SimSwapRules.SwappedWithin(latest, TimeSpan.FromHours(hours), now) : null,
            LineLifecycle.IsLive(line.Status) ? SimSwapRules.HoldUntil(line, now) : null, history, sim.Status, sim.BlockReason));
    }

    private sealed record SwapRow(string OldIccid, string NewIccid, string Reason, string IdentityCheck, DateTimeOffset SwappedAt);
}
