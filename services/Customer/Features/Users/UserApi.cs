using System.Text.Json.Nodes;
using MasStack.Contracts;
using MasStack.Customer.Features.Tree;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Customer.Features.Users;

public static class UserApi
{
    public const string MergePatch = "application/merge-patch+json";

    public static IEndpointRouteBuilder MapUserApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/users").WithTags("Users");
        api.MapGet("/{userId:long}", Get);
        api.MapPatch("/{userId:long}", Patch).Accepts<JsonObject>(MergePatch, "application/json").Transactional();
        api.MapGet("/{userId:long}/history", History);
        return app;
    }

    private static async Task<Results<Ok<UserView>, NotFound>> Get(long userId, NpgsqlDataSource database, HttpContext http)
    {
        if (await UserStore.GetAsync(database, userId) is not { } user) return TypedResults.NotFound();
        Preconditions.SetETag(http, user.Version);
        return TypedResults.Ok(user.View);
    }

    /// <summary>A JSON merge patch of personal data (<c>application/merge-patch+json</c>, or plain JSON), under <c>If-Match</c>.</summary>
    private static async Task<Results<Ok<UserView>, NotFound, ValidationProblem, ProblemHttpResult>> Patch(
        long userId, JsonObject patch, HttpContext http, UnitOfWork db, IdGenerator ids, CustomerTrees trees, TimeProvider clock)
    {
        if (await UserStore.LockAsync(db, userId) is not { } user) return TypedResults.NotFound();
        if (Preconditions.CheckIfMatch(http.Request, user.Version) is { } failed) return failed;

        var now = clock.GetUtcNow();
        var outcome = UserPatch.Apply(user.Data, patch, DateOnly.FromDateTime(now.UtcDateTime));
        if (!outcome.Errors.IsEmpty) return TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
        if (outcome.RefusedBecause is { } rule)
            return TypedResults.Problem(title: "Refused by a business rule", detail: rule, statusCode: StatusCodes.Status422UnprocessableEntity);
        if (outcome.Changes.Count == 0)
        {
            Preconditions.SetETag(http, user.Version);
            return TypedResults.Ok(user.View);
        }

        var updated = outcome.Updated!;
        if (updated.Email != user.Email && await db.QuerySingleOrDefaultAsync<bool>(
                "SELECT true FROM users WHERE email = @Email AND id <> @userId", new { updated.Email, userId }))
            return TypedResults.Problem(title: "Email already registered", detail: "Another customer has this email address.",
                statusCode: StatusCodes.Status409Conflict);

        var actor = Actor.Of(http.Request);
        var stored = await db.QuerySingleOrDefaultAsync<UserRow>(
            """
            UPDATE users SET first_name = @FirstName, last_name = @LastName, email = @Email, phone = @Phone, birth_date = @BirthDate,
                             address = @Address::jsonb, updated_at = @now, version = version + 1
            WHERE id = @userId
            RETURNING id AS UserId, document_type AS DocumentType, document_number AS DocumentNumber, first_name AS FirstName,
                      last_name AS LastName, email, phone, birth_date AS BirthDate, address::text AS Address,
                      bank_account_masked AS BankAccount, created_at AS CreatedAt, updated_at AS UpdatedAt, version
            """,
            new
            {
                updated.FirstName, updated.LastName, updated.Email, updated.Phone, updated.BirthDate, now, userId,
                Address = System.Text.Json.JsonSerializer.Serialize(updated.Address, Platform.Messaging.OutboxMessage.JsonOptions),
            });
        await UserStore.RecordChangeAsync(db, ids, userId, "user", outcome.Changes, actor, now);
        await db.PublishAsync(new UserUpdated(userId, outcome.Changes.Keys.ToList(), updated.Email, actor.ClientId, actor.Reason, now, stored!.Version));
        trees.InvalidateAfterCommit(db, userId, TreeLookup.Email(user.Email));

        Preconditions.SetETag(http, stored!.Version);
        return TypedResults.Ok(stored.View);
    }

    /// <summary>The audit trail of the user's data (personal data, shipping details, Agile TV email), newest first.</summary>
    private static async Task<Results<Ok<List<UserChangeView>>, NotFound, ValidationProblem>> History(
        long userId, [AsParameters] PageRequest page, NpgsqlDataSource database, HttpContext http) =>
        page.ApplyOrNotFound(await UserStore.HistoryAsync(database, userId), http);
}
