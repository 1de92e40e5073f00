using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Subscription.Features.Lines;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Subscription.Features.Cancellation;

public sealed record CancellationRequest(int? MotiveId, string? Comment);

public sealed record Cancelled(long SubscriptionId, SubscriptionStatus Status, CancellationMotive Motive, string? Comment, DateTimeOffset CancelledAt);

/// <summary>
/// Cancels a mobile line that is still in flight (pending activation or portability). An active line is not cancelled
/// here (409): ending a live contract is a termination, with its own terms. A port may be cancelled until its window
/// is scheduled (409 from then on). The number and SIM go back to stock.
/// </summary>
public static class CancellationApi
{
    public static IEndpointRouteBuilder MapCancellationApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").WithTags("Subscriptions")
            .MapPost("/subscriptions/{subscriptionId:long}/cancellation", Cancel).Transactional();
        return app;
    }

    private static async Task<Results<Ok<Cancelled>, NotFound, ValidationProblem, ProblemHttpResult>> Cancel(
        long subscriptionId, CancellationRequest request, UnitOfWork db, TimeProvider clock)
    {
        if (request.MotiveId is not { } motiveId || CancellationMotives.Find(motiveId) is not { } motive)
            return ValidationErrors.For("motiveId", $"One of the cancellation motives of master data: {string.Join(", ", CancellationMotives.All.Select(m => m.Id))}.");
        if (request.Comment is { Length: > 500 }) return ValidationErrors.For("comment", "At most 500 characters.");
        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return TypedResults.NotFound();
        if (line.Type != SubscriptionType.Mobile)
            return Problems.Refused($"Only mobile lines are cancelled in flight; this line is {EnumText.Of(line.Type)}.");
        if (LineLifecycle.Refusal(line.Status, SubscriptionStatus.Cancelled) is { } conflict) return Problems.Conflict(conflict);
        if (line.Status == SubscriptionStatus.PendingPortability
            && await db.QuerySingleOrDefaultAsync<DateTimeOffset?>(
                "SELECT window_start FROM subscription_portability WHERE subscription_id = @Id AND state = 'scheduled'", new { line.Id }) is { } window)
            return Problems.Conflict($"The port is scheduled for {window:yyyy-MM-dd HH:mm} UTC; it can be cancelled only until its window is set.");

        var now = clock.GetUtcNow();
        await LineStore.ChangeStatusAsync(db, line, SubscriptionStatus.Cancelled, motive.Code, now);
        var version = await db.QuerySingleOrDefaultAsync<long>(
            "UPDATE subscriptions SET cancellation_motive_id = @motiveId, cancellation_comment = @Comment, version = version + 1 WHERE id = @Id RETURNING version",
            new { line.Id, motiveId, request.Comment });
        await db.PublishAsync(new SubscriptionCancelled(
            line.Id, line.AccountId, line.UserId, line.Type, line.NumberMode, line.Number, line.Iccid, motiveId, now, version));
        return TypedResults.Ok(new Cancelled(line.Id, SubscriptionStatus.Cancelled, motive, request.Comment, now));
    }
}
