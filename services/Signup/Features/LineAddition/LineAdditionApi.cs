using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Signup.Features.Catalogue;
using MasStack.Signup.Features.Sales;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Signup.Features.LineAddition;

/// <summary>One more line for an existing account: the line's fields as in a sale, and the channel it is sold through.</summary>
public sealed record AddLineRequest(
    SalesChannel? Channel, string? StoreId, SubscriptionType? Type, string? ProductCode, NumberMode? NumberMode, string? Number, string? Iccid,
    long? ReservationId = null, string? Network = null, string? DonorOperator = null, string? DonorIccid = null)
{
    public LineRequest Line => new(Type, ProductCode, NumberMode, Number, Iccid, ReservationId, Network, DonorOperator, DonorIccid);
}

public static class LineAdditionApi
{
    private static readonly SubscriptionStatus[] Gone = [SubscriptionStatus.Cancelled, SubscriptionStatus.Moved];

    public static IEndpointRouteBuilder MapLineAdditionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/accounts/{accountId:long}/subscriptions", Add).WithTags("Signups").Transactional();
        return app;
    }

    /// <summary>
    /// The same 202 flow as a sale, for one line: checked against the account's bundle (the lines it holds, and those
    /// being added right now), its number and SIM taken from stock, then <see cref="LineAddedToBundle"/> for Subscription.
    /// </summary>
    private static async Task<Results<Accepted<SignupAccepted>, NotFound, ValidationProblem, ProblemHttpResult>> Add(
        long accountId, AddLineRequest request, UnitOfWork db, IdGenerator ids, TimeProvider clock, CatalogueStore catalogue, SaleStock stock,
        AccountClient accounts, HttpContext http)
    {
        var errors = new ValidationErrors();
        if (errors.Required("channel", request.Channel) && request.Channel == SalesChannel.Store) errors.Required("storeId", request.StoreId);
        var account = await accounts.GetAsync(accountId, http.RequestAborted);
        if (account is null) return TypedResults.NotFound();
        var line = SignupValidation.ValidateLine(errors, "", request.Line, request.Channel, account.PaymentType);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());
        if (account.Status != AccountStatus.Active)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Account not active", detail: $"The account is {EnumText.Of(account.Status)}.");

        // One line addition per account at a time, so two cannot both take the bundle's last place.
        await db.ExecuteAsync("SELECT pg_advisory_xact_lock(@accountId)", new { accountId });
        var inFlight = await db.QueryAsync<string>(
            """
            SELECT l.type FROM signups s JOIN signup_lines l ON l.signup_id = s.id
            WHERE s.account_id = @accountId AND s.kind = 'line-addition' AND s.status = 'pending'
            """, new { accountId });
        var existing = account.Subscriptions.Where(s => !Gone.Contains(s.Status)).Select(s => s.Type)
            .Concat(inFlight.Select(EnumText.Parse<SubscriptionType>)).ToList();
        var rules = BundleRules.Check(await catalogue.LoadAsync(), account.BundleCode, account.PaymentType, [line!], existing, _ => "");
        if (!rules.IsEmpty) return rules.Refuse(StatusCodes.Status409Conflict, "The account's bundle cannot hold this line");

        var now = clock.GetUtcNow();
        var signupId = ids.Next();
        var documentNumber = await db.QuerySingleOrDefaultAsync<string>(
            "SELECT document_number FROM document_users WHERE user_id = @UserId LIMIT 1", new { account.UserId }) ?? "";
        await db.ExecuteAsync(
            """
            INSERT INTO signups (id, user_id, account_id, channel, payment_type, bundle_code, status, request, created_at, updated_at, kind, document_number)
            VALUES (@signupId, @UserId, @accountId, @Channel, @PaymentType, @BundleCode, 'pending', @Request::jsonb, @now, @now, 'line-addition', @documentNumber)
            """,
            new
            {
                signupId, account.UserId, accountId, now, account.BundleCode, documentNumber,
                Channel = EnumText.Of(request.Channel!.Value), PaymentType = EnumText.Of(account.PaymentType),
                Request = System.Text.Json.JsonSerializer.Serialize(request, Platform.Messaging.OutboxMessage.JsonOptions),
            });
        var (lines, refusal) = await stock.TakeAsync(db, ids, signupId, documentNumber, [line!], _ => "");
        if (refusal is not null) return refusal.Errors.Refuse(refusal.Status, "The line cannot take this number or SIM card");

        var added = lines!.Single();
        await db.ExecuteAsync("INSERT INTO signup_steps (signup_id, step) SELECT @signupId, unnest(@steps)",
            new { signupId, steps = SignupProgress.LineSteps([added], account.PaymentType).ToArray() });
        await db.PublishAsync(new LineAddedToBundle(signupId, accountId, account.UserId, account.PaymentType, account.BundleCode, added, now));
        return TypedResults.Accepted($"/api/v1/signups/{signupId}",
            new SignupAccepted(signupId, account.UserId, accountId, SignupApi.Subscriptions(lines!), "pending"));
    }
}
