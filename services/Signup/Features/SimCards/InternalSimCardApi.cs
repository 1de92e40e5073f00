using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Signup.Features.SimCards;

/// <param name="ClaimId">The swap attempt's id: a release undoes only the claim that attempt holds.</param>
public sealed record SimSwapRequest(long? SubscriptionId, string? ReplacesIccid, long? ClaimId);

/// <summary>
/// For Subscription's SIM swap, over service discovery (not routed by the gateway): whether an ICCID is in stock, the
/// claim of a new SIM for a line before the line changes (the new SIM takes the line, the old one becomes
/// <c>replaced</c>, in one transaction: of two claims on one SIM exactly one wins, as against a sale), and the release
/// of a claim whose line could not change.
/// </summary>
public static class InternalSimCardApi
{
    public static IEndpointRouteBuilder MapInternalSimCardApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal/sim-cards").WithTags("Internal").ExcludeFromDescription();
        api.MapGet("/{icc}", SimCardApi.Get);
        api.MapPost("/{icc}/swap", Swap).Transactional();
        api.MapPost("/{icc}/swap/release", Release).Transactional();
        return app;
    }

    private static async Task<Results<Ok<SimCardView>, ValidationProblem, ProblemHttpResult>> Swap(string icc, SimSwapRequest request, UnitOfWork db)
    {
        if (Validate(icc, request) is { } invalid) return invalid;
        var (sim, refusal) = await SimStock.SwapAsync(db, request.SubscriptionId!.Value, request.ReplacesIccid!, icc, request.ClaimId);
        if (refusal is not null) return TypedResults.Problem(statusCode: refusal.Status, title: "SIM swap refused", detail: refusal.Detail);
        return TypedResults.Ok(sim!);
    }

    private static async Task<Results<NoContent, ValidationProblem>> Release(string icc, SimSwapRequest request, UnitOfWork db)
    {
        if (Validate(icc, request) is { } invalid) return invalid;
        if (request.ClaimId is null) return ValidationErrors.For("claimId", "The id of the swap attempt whose claim is released.");
        await SimStock.ReleaseSwapAsync(db, request.SubscriptionId!.Value, request.ReplacesIccid!, icc, request.ClaimId.Value);
        return TypedResults.NoContent();
    }

    private static ValidationProblem? Validate(string icc, SimSwapRequest request)
    {
        var errors = new ValidationErrors();
        if (!Iccid.IsValid(icc)) errors.Add("icc", Iccid.Expected);
        errors.Required("subscriptionId", request.SubscriptionId);
        if (errors.Required("replacesIccid", request.ReplacesIccid) && !Iccid.IsValid(request.ReplacesIccid))
            errors.Add("replacesIccid", Iccid.Expected);
        return errors.IsEmpty ? null : TypedResults.ValidationProblem(errors.ToDictionary());
    }
}
