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
        string icc, SimSwapRequest request, UnitOfWork db)
    {
        var errors = new ValidationErrors();
        if (!Iccid.IsValid(icc)) errors.Add("icc", Iccid.Expected);
        errors.Required("subscriptionId", request.SubscriptionId);
        if (errors.Required("replacesIccid", request.ReplacesIccid) && !Iccid.IsValid(request.ReplacesIccid))
            errors.Add("replacesIccid", Iccid.Expected);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        var (sim, refusal) = await SimStock.SwapAsync(db, request.SubscriptionId!.Value, request.ReplacesIccid!, icc);
        if (sim is null) return TypedResults.NotFound();
        if (refusal is not null) return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "SIM swap refused", detail: refusal);
        return TypedResults.Ok(sim);
    }
}
