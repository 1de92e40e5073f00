using System.Text.Json.Serialization;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Barring.Features.Barrings;

public sealed record SimStatusView(SimStatus Status, BarringReason? Reason, DateTimeOffset? Since, string? By);

/// <summary>
/// A line's barrings: its SIM status, whether it is barred and from what (<see cref="BarredTypes"/>: every type while the
/// SIM is blocked), the active barrings (kept through a SIM block, and again in force when it ends), and a page of the
/// history, newest first (<c>X-Total-Count</c>, <c>X-Result-Count</c>). A change adds what each order did.
/// </summary>
public sealed record BarringsView(
    long SubscriptionId, SimStatusView SimStatus, bool Barred, IReadOnlyList<BarringType> BarredTypes, IReadOnlyList<ActiveBarring> ActiveBarrings,
    IReadOnlyList<HistoryEntry> History,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<BarringOutcome>? Outcomes = null);

public static class BarringApi
{
    public static IEndpointRouteBuilder MapBarringApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/subscriptions/{subscriptionId:long}").WithTags("Barrings");
        api.MapGet("/barrings", Get);
        api.MapPatch("/barrings", Patch).Transactional();
        api.MapPut("/sim-status", PutSimStatus).Transactional();
        return app;
    }

    private static async Task<Results<Ok<BarringsView>, NotFound, ValidationProblem>> Get(
        long subscriptionId, [AsParameters] PageRequest page, NpgsqlDataSource database, HttpContext http)
    {
        // One snapshot for the profile, its ETag and its history: a change committed between the reads would otherwise show
        // its barrings under the ETag of the version before, and a PATCH made on what the client saw would be refused.
        await using var connection = await database.OpenSnapshotAsync();
        if (await BarringProfiles.FindAsync(connection, subscriptionId) is not { } profile) return TypedResults.NotFound();
        return await ViewAsync(connection, profile, page, http) is { } view ? TypedResults.Ok(view) : PageErrors(page);
    }

    /// <summary>The scope (of the caller's token, <c>X-Client-Scopes</c> from the gateway) that operator-source barrings need.</summary>
    public const string OperatorScope = "operator";

    /// <summary>
    /// Sets and lifts several barrings of one source, all or nothing: 400 naming the field for bad input, 428/412 without
    /// the profile's current ETag, 409 for a cancelled line or a blocked SIM, 403 when a customer would lift an operator's barring, or
    /// when a client without the operator scope names the operator as the source.
    /// </summary>
    private static async Task<Results<Ok<BarringsView>, NotFound, ValidationProblem, ProblemHttpResult>> Patch(
        long subscriptionId, BarringPatch? patch, UnitOfWork db, HttpContext http, TimeProvider clock)
    {
        var actor = Actor.Of(http.Request);
        var (valid, errors) = BarringRequests.Read(patch, actor.Reason);
        if (valid is null) return TypedResults.ValidationProblem(errors.ToDictionary());
        if (valid.Source == BarringSource.Operator && !actor.HasScope(OperatorScope))
            return TypedResults.Problem(title: "Forbidden", statusCode: StatusCodes.Status403Forbidden,
                detail: $"Operator barrings are set and lifted only by a client with the {OperatorScope} scope.");
        if (await BarringProfiles.LoadForUpdateAsync(db, subscriptionId) is not { } profile) return TypedResults.NotFound();
        if (Preconditions.CheckIfMatch(http.Request, (int)profile.Version) is { } precondition) return precondition;
        if (BarringRules.LineRefusal(profile) is { } refusal) return Problems.Conflict(refusal);
        if (profile.Block is { } block)
            return Problems.Conflict($"The SIM is blocked ({EnumText.Of(block.Reason)}): every barring stays as it is until it is unblocked.");

        var now = BarringProfiles.Stored(clock.GetUtcNow());
        var change = BarringRules.Change(profile, valid.Source, valid.Sets, valid.Lifts, actor.ClientId, now);
        if (change.Forbidden is { } forbidden)
            return TypedResults.Problem(title: "Forbidden for this source", detail: forbidden, statusCode: StatusCodes.Status403Forbidden);
        var changed = await BarringProfiles.RecordAsync(db, profile, change.Barrings, null, change.Changes, actor.Reason, now);
        return TypedResults.Ok(await AnswerAsync(db, changed, http) with { Outcomes = change.Outcomes });
    }

    /// <summary>Blocks the line's SIM (all traffic barred; lost or stolen also blocks the card in stock) or unblocks it (the barrings before the block again).</summary>
    private static async Task<Results<Ok<BarringsView>, NotFound, ValidationProblem, ProblemHttpResult>> PutSimStatus(
        long subscriptionId, SimStatusRequest? request, UnitOfWork db, HttpContext http, TimeProvider clock)
    {
        var actor = Actor.Of(http.Request);
        var (valid, errors) = BarringRequests.Read(request, actor.Reason);
        if (valid is null) return TypedResults.ValidationProblem(errors.ToDictionary());
        if (await BarringProfiles.LoadForUpdateAsync(db, subscriptionId) is not { } profile) return TypedResults.NotFound();
        if (http.Request.Headers.IfMatch.Count > 0 && Preconditions.CheckIfMatch(http.Request, (int)profile.Version) is { } precondition)
            return precondition;
        if (BarringRules.LineRefusal(profile) is { } refusal) return Problems.Conflict(refusal);

        var now = BarringProfiles.Stored(clock.GetUtcNow());
        BarringProfile changed;
        if (valid.Status == SimStatus.Blocked)
        {
            var (block, change, conflict) = BarringRules.Block(profile, valid.Reason!.Value, actor.ClientId, now);
            if (conflict is not null) return Problems.Conflict(conflict);
            changed = await BarringProfiles.RecordAsync(db, profile, profile.Barrings, block, change is null ? [] : [change], actor.Reason, now);
        }
        else
        {
            var (change, conflict) = BarringRules.Unblock(profile, actor.ClientId, now);
            if (conflict is not null) return Problems.Conflict(conflict);
            changed = await BarringProfiles.RecordAsync(db, profile, profile.Barrings, null, change is null ? [] : [change], actor.Reason, now);
        }
        return TypedResults.Ok(await AnswerAsync(db, changed, http));
    }

    /// <summary>The view after a change, its history (first page) read in the change's own transaction.</summary>
    private static async Task<BarringsView> AnswerAsync(UnitOfWork db, BarringProfile profile, HttpContext http)
    {
        Preconditions.SetETag(http, (int)profile.Version);
        var history = await BarringProfiles.HistoryAsync(db, profile.SubscriptionId);
        return View(profile, history.Take(PageRequest.DefaultLimit).ToList());
    }

    private static async Task<BarringsView?> ViewAsync(NpgsqlConnection connection, BarringProfile profile, PageRequest page, HttpContext http)
    {
        var history = await BarringProfiles.HistoryAsync(connection, profile.SubscriptionId);
        if (page.Apply(history, http).Result is not Ok<List<HistoryEntry>> ok) return null;
        Preconditions.SetETag(http, (int)profile.Version);
        return View(profile, ok.Value!);
    }

    private static ValidationProblem PageErrors(PageRequest page)
    {
        var errors = new ValidationErrors();
        page.Validate(errors);
        return TypedResults.ValidationProblem(errors.ToDictionary());
    }

    private static BarringsView View(BarringProfile profile, IReadOnlyList<HistoryEntry> history) => new(
        profile.SubscriptionId,
        new SimStatusView(profile.SimStatus, profile.Block?.Reason, profile.Block?.Since, profile.Block?.By),
        profile.BarredTypes.Count > 0, profile.BarredTypes,
        [.. profile.Barrings.OrderBy(b => b.Type).ThenBy(b => b.Source).ThenBy(b => b.Reason)], history);
}
