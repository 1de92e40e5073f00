using System.Text.Json;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Dapper;
using MasStack.Signup.Features.Catalogue;
using MasStack.Signup.Features.Payments;
using MasStack.Signup.Features.Portability;

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
    /// Validates the sale (formats 400, bundle rules 422, stock 409), mints every id at once, takes its numbers and SIMs
    /// from stock, stores the signup with the steps it waits for and publishes <see cref="SignupSubmitted"/> in the same
    /// transaction; the other services take it from there. A refusal rolls everything back.
    /// </summary>
    private static async Task<Results<Accepted<SignupAccepted>, ValidationProblem, ProblemHttpResult>> Submit(
        SignupRequest request, UnitOfWork db, IdGenerator ids, TimeProvider clock, CatalogueStore catalogue, SaleStock stock)
    {
        var now = clock.GetUtcNow();
        var (sale, errors) = SignupValidation.Validate(request, DateOnly.FromDateTime(now.UtcDateTime));
        if (sale is null) return TypedResults.ValidationProblem(errors.ToDictionary());
        var offer = await catalogue.LoadAsync();
        var rules = BundleRules.Check(offer, sale.BundleCode, sale.PaymentType, sale.Lines, null, i => $"lines[{i}].");
        if (!rules.IsEmpty) return rules.Refuse(StatusCodes.Status422UnprocessableEntity, "The bundle cannot hold this sale");

        var (signupId, accountId) = (ids.Next(), ids.Next());
        var userId = await DocumentUsers.ClaimAsync(db, sale.Customer.DocumentNumber, ids.Next(), signupId);
        await db.ExecuteAsync(
            """
            INSERT INTO signups (id, user_id, account_id, channel, payment_type, bundle_code, status, request, created_at, updated_at, kind, document_number)
            VALUES (@signupId, @userId, @accountId, @Channel, @PaymentType, @BundleCode, 'pending', @Request::jsonb, @now, @now, 'sale', @DocumentNumber)
            """,
            new
            {
                signupId, userId, accountId, now, sale.BundleCode, sale.Customer.DocumentNumber,
                Channel = EnumText.Of(sale.Channel), PaymentType = EnumText.Of(sale.PaymentType),
                // Kept as posted but for the IBAN, masked: the full IBAN lives in Billing's database only (it reaches it in SignupSubmitted).
                Request = JsonSerializer.Serialize(
                    request with { Customer = request.Customer! with { Iban = sale.Customer.Iban is { } iban ? Iban.Mask(iban) : null } },
                    Platform.Messaging.OutboxMessage.JsonOptions),
            });
        var (lines, refusal) = await stock.TakeAsync(db, ids, signupId, sale.Customer.DocumentNumber, sale.Lines, i => $"lines[{i}].");
        if (refusal is not null) return refusal.Errors.Refuse(refusal.Status, "The sale cannot take these numbers or SIM cards");

        await db.ExecuteAsync(
            "INSERT INTO signup_steps (signup_id, step) SELECT @signupId, unnest(@steps)",
            new { signupId, steps = SignupProgress.StepsFor(lines!, sale.PaymentType).ToArray() });
        await db.PublishAsync(new SignupSubmitted(
            signupId, userId, accountId, sale.Channel, sale.PaymentType, sale.BundleCode, sale.Customer, lines!, now,
            AcceptedTerms.Of(offer.Bundle(sale.BundleCode)!)));

        return TypedResults.Accepted($"/api/v1/signups/{signupId}", new SignupAccepted(signupId, userId, accountId, Subscriptions(lines!), "pending"));
    }

    internal static List<SignupSubscription> Subscriptions(IEnumerable<SignupLine> lines) =>
        lines.Select(l => new SignupSubscription(l.SubscriptionId, l.Type, l.Number, l.Iccid, l.NumberMode is { } m ? EnumText.Of(m) : null)).ToList();

    /// <summary>
    /// The sale as its status poll shows it: the signup, its lines, steps, portabilities and payments, read in one round
    /// trip (a till polls this until the sale leaves <c>pending</c>) and from one snapshot.
    /// </summary>
    private static async Task<Results<Ok<SignupView>, NotFound>> Get(long signupId, NpgsqlDataSource database)
    {
        await using var connection = await database.OpenSnapshotAsync();
        await using var results = await connection.QueryMultipleAsync(
            $"""
            SELECT id, user_id AS UserId, account_id AS AccountId, status, failure_reason AS FailureReason, channel,
                   payment_type AS PaymentType, bundle_code AS BundleCode, created_at AS CreatedAt, updated_at AS UpdatedAt, kind
            FROM signups WHERE id = @signupId;
            SELECT subscription_id, type, number, iccid, number_mode FROM signup_lines WHERE signup_id = @signupId ORDER BY subscription_id;
            SELECT step, state, detail FROM signup_steps WHERE signup_id = @signupId ORDER BY step;
            SELECT {PortabilityRequests.ViewColumns} FROM portability_requests WHERE signup_id = @signupId ORDER BY subscription_id;
            {SalePayments.OfSignupSql};
            """, new { signupId });
        var signup = await results.ReadSingleOrDefaultAsync<SignupRow>();
        if (signup is null) return TypedResults.NotFound();
        var lines = await results.ReadAsync<(long SubscriptionId, string Type, string? Number, string? Iccid, string? NumberMode)>();
        var steps = await results.ReadAsync<SignupStepView>();
        var portabilities = await results.ReadAsync<PortabilityView>();
        var payments = SalePayments.Views(await results.ReadAsync<SalePayments.PaymentRow>());

        return TypedResults.Ok(new SignupView(
            signup.Id, signup.UserId, signup.AccountId, signup.Status, signup.FailureReason,
            EnumText.Parse<SalesChannel>(signup.Channel), EnumText.Parse<PaymentType>(signup.PaymentType), signup.BundleCode,
            lines.Select(l => new SignupSubscription(l.SubscriptionId, EnumText.Parse<SubscriptionType>(l.Type), l.Number, l.Iccid, l.NumberMode)).ToList(),
            steps.AsList(), signup.CreatedAt, signup.UpdatedAt, signup.Kind, portabilities.AsList(), payments));
    }

    private sealed record SignupRow(
        long Id, long UserId, long AccountId, string Status, string? FailureReason, string Channel, string PaymentType,
        string BundleCode, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Kind);
}
