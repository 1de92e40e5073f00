using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Billing.Features.PaymentInfo;

/// <summary>A replacement of an account's payment info; <c>method</c> defaults to <c>direct-debit</c>, the only one.</summary>
public sealed record PaymentInfoRequest(string? Method, string? Holder, string? Iban);

/// <summary>How an account pays: the method, the holder, the IBAN masked, and every change (newest first).</summary>
public sealed record PaymentInfoView(
    long AccountId, string Method, string Holder, string Iban, DateTimeOffset UpdatedAt, string UpdatedBy, IReadOnlyList<PaymentInfoHistoryEntry> History);

public static class PaymentInfoApi
{
    public static IEndpointRouteBuilder MapPaymentInfoApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/accounts/{accountId:long}/payment-info").WithTags("Payment info");
        api.MapGet("/", Get);
        api.MapPut("/", Put).Transactional();
        return app;
    }

    private static async Task<Results<Ok<PaymentInfoView>, NotFound>> Get(long accountId, NpgsqlDataSource database, HttpContext http)
    {
        // The payment info, its ETag and its history as of one moment (a snapshot), not a history newer than its ETag.
        await using var connection = await database.OpenSnapshotAsync();
        if (await PaymentInfoStore.FindAsync(connection, accountId) is not { } info) return TypedResults.NotFound();
        Preconditions.SetETag(http, info.Version);
        return TypedResults.Ok(View(info, await PaymentInfoStore.HistoryAsync(connection, accountId)));
    }

    /// <summary>
    /// Replaces the payment info under <c>If-Match</c> (428 missing, 412 stale): 400 for a missing or malformed field, 422
    /// naming <c>iban</c> when it fails ISO 13616's check. The change is kept in the history with who made it and why
    /// (<c>X-Reason</c>), and Customer's masked bank account follows it.
    /// </summary>
    private static async Task<Results<Ok<PaymentInfoView>, NotFound, ValidationProblem, ProblemHttpResult>> Put(
        long accountId, PaymentInfoRequest? request, UnitOfWork db, HttpContext http, TimeProvider clock)
    {
        var errors = new ValidationErrors();
        if (request is null) errors.Add("body", "A JSON body is required.");
        else
        {
            if (request.Method is { } method && method != PaymentInfoStore.DirectDebit) errors.Add("method", $"Only {PaymentInfoStore.DirectDebit}.");
            if (errors.Required("holder", request.Holder) && request.Holder!.Trim().Length > 200) errors.Add("holder", "At most 200 characters.");
            errors.Required("iban", request.Iban);
        }
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        if (await PaymentInfoStore.LoadForUpdateAsync(db, accountId) is not { } current) return TypedResults.NotFound();
        if (Preconditions.CheckIfMatch(http.Request, current.Version) is { } precondition) return precondition;
        if (Iban.Normalize(request!.Iban) is not { } iban)
            return Problems.Refused("Not a valid IBAN: ISO 13616 with the mod-97 check (a Spanish one is ES and 22 digits).", "iban");

        var actor = Actor.Of(http.Request);
        var changed = await PaymentInfoStore.ReplaceAsync(db, current, PaymentInfoStore.DirectDebit, request.Holder!.Trim(), iban,
            actor.ClientId, actor.Reason, Stored(clock.GetUtcNow()));
        Preconditions.SetETag(http, changed.Version);
        return TypedResults.Ok(View(changed, await PaymentInfoStore.HistoryAsync(db, accountId)));
    }

    private static DateTimeOffset Stored(DateTimeOffset at) => at.AddTicks(-(at.Ticks % 10));

    private static PaymentInfoView View(PaymentInfoRow info, IReadOnlyList<PaymentInfoHistoryEntry> history) =>
        new(info.AccountId, info.Method, info.Holder, Iban.Mask(info.Iban), info.UpdatedAt, info.UpdatedBy, history);
}
