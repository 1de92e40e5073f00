using MasStack.Contracts;
using MasStack.Customer.Features.Tree;
using MasStack.Customer.Features.Users;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Customer.Features.AgileTv;

public sealed record AgileTvEmailRequest(string? Email);

public sealed record AgileTvEmailView(long UserId, string Email, IReadOnlyList<long> SubscriptionIds);

/// <summary>
/// The login email of the user's Agile TV. The login belongs to the customer, so it changes on every live TV line
/// they hold; Customer keeps it on its tree and tells Subscription (AgileTvEmailChanged) so that each line shows it.
/// </summary>
public static class AgileTvApi
{
    public static IEndpointRouteBuilder MapAgileTvApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/users").WithTags("Users")
            .MapPut("/{userId:long}/agile-tv/email", ChangeEmail).Transactional();
        return app;
    }

    private static async Task<Results<Ok<AgileTvEmailView>, NotFound, ValidationProblem, ProblemHttpResult>> ChangeEmail(
        long userId, AgileTvEmailRequest request, HttpContext http, UnitOfWork db, IdGenerator ids, CustomerTrees trees, TimeProvider clock)
    {
        if (EmailAddress.Normalize(request.Email) is not { } email)
            return ValidationErrors.For("email", request.Email is null ? "The field is required." : "Not a valid email address.");
        var userEmail = await db.QuerySingleOrDefaultAsync<string>("SELECT email FROM users WHERE id = @userId FOR UPDATE", new { userId });
        if (userEmail is null) return TypedResults.NotFound();

        var lines = await db.QueryAsync<(long SubscriptionId, long AccountId, string? AgileTvEmail)>(
            $"""
            SELECT subscription_id, account_id, agile_tv_email FROM tree_subscriptions
            WHERE user_id = @userId AND type = 'tv' AND status NOT IN ({EndedLines.Sql})
            ORDER BY subscription_id FOR UPDATE
            """, new { userId });
        if (lines.Count == 0)
            return TypedResults.Problem(title: "No Agile TV subscription", detail: "The user has no TV line whose login email could change.",
                statusCode: StatusCodes.Status409Conflict);

        var now = clock.GetUtcNow();
        var changed = lines.Where(l => (l.AgileTvEmail ?? userEmail) != email).ToList();
        foreach (var line in changed)
        {
            var version = await db.QuerySingleOrDefaultAsync<long>(
                """
                UPDATE tree_subscriptions SET agile_tv_email = @email, agile_tv_version = agile_tv_version + 1
                WHERE subscription_id = @SubscriptionId RETURNING agile_tv_version
                """,
                new { email, line.SubscriptionId });
            await db.PublishAsync(new AgileTvEmailChanged(line.SubscriptionId, line.AccountId, userId, email, now, version));
        }
        if (changed.Count > 0)
        {
            var from = changed[0].AgileTvEmail ?? userEmail;
            await UserStore.RecordChangeAsync(db, ids, userId, "agile-tv-email",
                new Dictionary<string, FieldChange> { ["email"] = new(from, email) }, Actor.Of(http.Request), now);
            trees.InvalidateAfterCommit(db, userId);
        }
        return TypedResults.Ok(new AgileTvEmailView(userId, email, lines.Select(l => l.SubscriptionId).ToList()));
    }
}
