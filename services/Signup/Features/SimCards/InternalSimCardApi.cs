using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Signup.Features.SimCards;

public sealed record SimSwapRequest(long? SubscriptionId, string? ReplacesIccid);

/// <summary>
/// For Subscription's SIM swap, over service discovery (not routed by the gateway): whether an ICCID is in stock,
/// and the swap itself — the new SIM takes the line, the old one becomes <c>replaced</c> — in one transaction.
/// </summary>
public static class InternalSimCardApi
{
    public static IEndpointRouteBuilder MapInternalSimCardApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal/sim-cards").WithTags("Internal").ExcludeFromDescription();
        api.MapGet("/{icc}", SimCardApi.Get);
        api.MapPost("/{icc}/swap", Swap).Transactional();
        return app;
    }

    private static async Task<Results<Ok<SimCardView>, NotFound, ValidationProblem, ProblemHttpResult>> Swap(
        string icc, SimSwapRequest request, UnitOfWork db, TimeProvider clock)
    {
        var errors = new ValidationErrors();
        if (!Iccid.IsValid(icc)) errors.Add("icc", Iccid.Expected);
        errors.Required("subscriptionId", request.SubscriptionId);
        if (errors.Required("replacesIccid", request.ReplacesIccid) && !Iccid.IsValid(request.ReplacesIccid))
            errors.Add("replacesIccid", Iccid.Expected);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        var sims = (await db.QueryAsync<SimCardView>(
            $"SELECT {SimStock.Columns} FROM sim_cards WHERE iccid IN (@icc, @ReplacesIccid) ORDER BY iccid FOR UPDATE",
            new { icc, request.ReplacesIccid })).ToDictionary(s => s.Iccid);
        if (!sims.TryGetValue(icc, out var fresh) || !sims.TryGetValue(request.ReplacesIccid!, out var old)) return TypedResults.NotFound();

        // A repeat of a swap already made answers as the first did.
        if (fresh.SubscriptionId == request.SubscriptionId && old.State == SimStock.Replaced) return TypedResults.Ok(fresh);

        string? refusal = null;
        if (old.SubscriptionId != request.SubscriptionId) refusal = "The SIM to replace is not the line's SIM.";
        else if (old.State is not (SimStock.Assigned or SimStock.Active or SimStock.Blocked)) refusal = $"The SIM to replace is {old.State}.";
        else if (fresh.State != SimStock.Available) refusal = $"The new SIM card is {fresh.State}, not available.";
        else if (fresh.Network != old.Network) refusal = $"The new SIM card is of the {fresh.Network} network, the line of {old.Network}.";
        if (refusal is not null) return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "SIM swap refused", detail: refusal);

        var now = clock.GetUtcNow();
        var state = old.State == SimStock.Assigned ? SimStock.Assigned : SimStock.Active;
        await db.ExecuteAsync("UPDATE sim_cards SET state = 'replaced', updated_at = @now WHERE iccid = @ReplacesIccid", new { request.ReplacesIccid, now });
        await db.ExecuteAsync(
            """
            UPDATE sim_cards SET state = @state, subscription_id = @SubscriptionId,
                   signup_id = (SELECT signup_id FROM sim_cards WHERE iccid = @ReplacesIccid), updated_at = @now
            WHERE iccid = @icc
            """, new { icc, state, request.SubscriptionId, request.ReplacesIccid, now });
        return TypedResults.Ok(fresh with { State = state, SubscriptionId = request.SubscriptionId, UpdatedAt = now });
    }
}
