using System.Text.Json;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Dapper;

namespace MasStack.Signup.Features.Sales;

public static class SignupApi
{
    public static IEndpointRouteBuilder MapSignupApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/signups").WithTags("Signups");
        api.MapPost("/", Submit).Transactional();
        api.MapGet("/{signupId:long}", Get);
        return app;
    }

    /// <summary>
    /// Validates the sale, mints every id at once, stores the signup with the steps it waits for and publishes
    /// <see cref="SignupSubmitted"/> in the same transaction; the other services take it from there.
    /// </summary>
    private static async Task<Results<Accepted<SignupAccepted>, ValidationProblem>> Submit(
        SignupRequest request, UnitOfWork db, IdGenerator ids, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var (sale, errors) = SignupValidation.Validate(request, DateOnly.FromDateTime(now.UtcDateTime));
        if (sale is null) return TypedResults.ValidationProblem(errors.ToDictionary());

        var (signupId, userId, accountId) = (ids.Next(), ids.Next(), ids.Next());
        var lines = sale.Lines.Select(l => new SignupLine(ids.Next(), l.Type, l.ProductCode, l.NumberMode, l.Number, l.Iccid)).ToList();

        await db.ExecuteAsync(
            """
            INSERT INTO signups (id, user_id, account_id, channel, payment_type, bundle_code, status, request, created_at, updated_at)
            VALUES (@signupId, @userId, @accountId, @Channel, @PaymentType, @BundleCode, 'pending', @Request::jsonb, @now, @now)
            """,
            new
            {
                signupId, userId, accountId, now, sale.BundleCode,
                Channel = EnumText.Of(sale.Channel), PaymentType = EnumText.Of(sale.PaymentType),
                Request = JsonSerializer.Serialize(request, Platform.Messaging.OutboxMessage.JsonOptions),
            });
        await db.ExecuteAsync(
            """
            INSERT INTO signup_lines (subscription_id, signup_id, type, product_code, number_mode, number, iccid)
            VALUES (@SubscriptionId, @signupId, @Type, @ProductCode, @NumberMode, @Number, @Iccid)
            """,
            lines.Select(l => new
            {
                l.SubscriptionId, signupId, Type = EnumText.Of(l.Type), l.ProductCode,
                NumberMode = l.NumberMode is { } mode ? EnumText.Of(mode) : null, l.Number, l.Iccid,
            }));
        await db.ExecuteAsync(
            "INSERT INTO signup_steps (signup_id, step) SELECT @signupId, unnest(@steps)",
            new { signupId, steps = SignupProgress.StepsFor(lines).ToArray() });
        await db.PublishAsync(new SignupSubmitted(
            signupId, userId, accountId, sale.Channel, sale.PaymentType, sale.BundleCode, sale.Customer, lines, now));

        return TypedResults.Accepted(
            $"/api/v1/signups/{signupId}",
            new SignupAccepted(signupId, userId, accountId, lines.Select(l => new SignupSubscription(l.SubscriptionId, l.Type)).ToList(), "pending"));
    }

    private static async Task<Results<Ok<SignupView>, NotFound>> Get(long signupId, NpgsqlDataSource database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var signup = await connection.QuerySingleOrDefaultAsync<SignupRow>(
            """
            SELECT id, user_id AS UserId, account_id AS AccountId, status, failure_reason AS FailureReason, channel,
                   payment_type AS PaymentType, bundle_code AS BundleCode, created_at AS CreatedAt, updated_at AS UpdatedAt
            FROM signups WHERE id = @signupId
            """, new { signupId });
        if (signup is null) return TypedResults.NotFound();

        var lines = await connection.QueryAsync<(long SubscriptionId, string Type)>(
            "SELECT subscription_id, type FROM signup_lines WHERE signup_id = @signupId ORDER BY subscription_id", new { signupId });
        var steps = await connection.QueryAsync<SignupStepView>(
            "SELECT step, state, detail FROM signup_steps WHERE signup_id = @signupId ORDER BY step", new { signupId });

        return TypedResults.Ok(new SignupView(
            signup.Id, signup.UserId, signup.AccountId, signup.Status, signup.FailureReason,
            EnumText.Parse<SalesChannel>(signup.Channel), EnumText.Parse<PaymentType>(signup.PaymentType), signup.BundleCode,
            lines.Select(l => new SignupSubscription(l.SubscriptionId, EnumText.Parse<SubscriptionType>(l.Type))).ToList(),
            steps.AsList(), signup.CreatedAt, signup.UpdatedAt));
    }

    private sealed record SignupRow(
        long Id, long UserId, long AccountId, string Status, string? FailureReason, string Channel, string PaymentType,
        string BundleCode, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
}
