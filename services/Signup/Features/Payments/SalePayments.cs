using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Signup.Features.MasterData;
using MasStack.Signup.Features.Sales;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Signup.Features.Payments;

public sealed record PaymentRequest(Money? Amount, string? Method, string? Reference);

/// <summary>The payment taken at the till or in the online checkout, recorded against its sale (idempotent by Idempotency-Key).</summary>
public static class SalePayments
{
    public const decimal MaxAmount = 10_000m;

    public static IEndpointRouteBuilder MapSalePaymentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/signups/{signupId:long}/payments", Register).WithTags("Signups").Transactional();
        return app;
    }

    public static ValidationErrors Validate(PaymentRequest request)
    {
        var errors = new ValidationErrors();
        if (errors.Required("amount", request.Amount))
        {
            var amount = request.Amount!;
            if (amount.Amount <= 0 || amount.Amount > MaxAmount) errors.Add("amount.amount", $"More than 0 and at most {MaxAmount}.");
            else if (decimal.Round(amount.Amount, 2) != amount.Amount) errors.Add("amount.amount", "At most two decimals.");
            if (amount.Currency != "EUR") errors.Add("amount.currency", "EUR.");
        }
        if (errors.Required("method", request.Method) && !MasterDataSet.PaymentMethods.Contains(request.Method))
            errors.Add("method", $"One of {string.Join(", ", MasterDataSet.PaymentMethods)}.");
        if (request.Method is "card" or "direct-debit") errors.Required("reference", request.Reference);
        if (request.Reference is { Length: > 100 }) errors.Add("reference", "At most 100 characters.");
        return errors;
    }

    private static async Task<Results<Created<PaymentView>, NotFound, ValidationProblem, ProblemHttpResult>> Register(
        long signupId, PaymentRequest request, UnitOfWork db, IdGenerator ids, TimeProvider clock)
    {
        var errors = Validate(request);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());
        var signup = await db.QuerySingleOrDefaultAsync<SaleState>(
            "SELECT status, account_id AS AccountId FROM signups WHERE id = @signupId FOR UPDATE", new { signupId });
        if (signup is null) return TypedResults.NotFound();
        if (signup.Status == "failed")
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Sale failed", detail: "The sale failed: there is nothing to pay.");

        var payment = new PaymentView(ids.Next(), request.Amount!, request.Method!, request.Reference?.Trim(), clock.GetUtcNow());
        await db.ExecuteAsync(
            """
            INSERT INTO sale_payments (id, signup_id, amount, currency, method, reference, paid_at)
            VALUES (@PaymentId, @signupId, @Amount, @Currency, @Method, @Reference, @PaidAt)
            """,
            new { payment.PaymentId, signupId, payment.Amount.Amount, payment.Amount.Currency, payment.Method, payment.Reference, payment.PaidAt });
        await db.PublishAsync(new SalePaymentRegistered(
            payment.PaymentId, signupId, signup.AccountId, payment.Amount, payment.Method, payment.Reference, payment.PaidAt));
        return TypedResults.Created($"/api/v1/signups/{signupId}/payments/{payment.PaymentId}", payment);
    }

    private sealed record SaleState(string Status, long AccountId);

    /// <summary>The payments of the sale <c>@signupId</c>, oldest first, as <see cref="PaymentRow"/>s.</summary>
    public const string OfSignupSql =
        "SELECT id, amount, currency, method, reference, paid_at AS PaidAt FROM sale_payments WHERE signup_id = @signupId ORDER BY id";

    public sealed record PaymentRow(long Id, decimal Amount, string Currency, string Method, string? Reference, DateTimeOffset PaidAt);

    public static List<PaymentView> Views(IEnumerable<PaymentRow> rows) =>
        rows.Select(p => new PaymentView(p.Id, new Money(p.Amount, p.Currency), p.Method, p.Reference, p.PaidAt)).ToList();
}
