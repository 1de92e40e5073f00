using MasStack.Billing.Features.PaymentInfo;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Billing.Features.Copies;

// Billing keeps its own copy of what it invoices, from other services' events: accounts (from the sale), lines and their
// dates, product changes, offers, usage. Facts are dated and kept whatever order they arrive in; an event about a line
// not known yet is retried until its creation has arrived, unless the line was removed on purpose (a failed sale).

public static class BillingCopies
{
    public static readonly AggregateCopy Account = new("account", "billing_accounts", "account_id");
    public static readonly AggregateCopy Line = new("line", "billing_lines", "subscription_id");
}

/// <summary>
/// Billing's part of a sale: the account (payment type, the postal code that decides its tax) and, for a postpaid sale,
/// its payment info, confirmed to the saga with <see cref="PaymentInfoChanged"/>.
/// </summary>
[ConsumerName("signup-submitted")]
public sealed class SignupSubmittedConsumer(UnitOfWork db) : InboxConsumer<SignupSubmitted>(db)
{
    protected override async Task Handle(SignupSubmitted sale, UnitOfWork db, CancellationToken ct)
    {
        var inserted = await db.ExecuteAsync(
            $"""
            INSERT INTO billing_accounts (account_id, user_id, signup_id, payment_type, bundle_code, postal_code, created_at)
            SELECT @AccountId, @UserId, @SignupId, @PaymentType, @BundleCode, @PostalCode, @SubmittedAt
            WHERE {EventVersions.NotRemoved(BillingCopies.Account, "@AccountId")}
            ON CONFLICT (account_id) DO NOTHING
            """,
            new
            {
                sale.AccountId, sale.UserId, sale.SignupId, sale.BundleCode, sale.SubmittedAt, sale.Customer.Address.PostalCode,
                PaymentType = EnumText.Of(sale.PaymentType),
            });
        if (inserted == 0 || sale.PaymentType != PaymentType.Postpaid || sale.Customer.Iban is not { } iban) return;
        await PaymentInfoStore.StoreFirstAsync(db, sale.AccountId, sale.UserId, sale.SignupId,
            $"{sale.Customer.FirstName} {sale.Customer.LastName}", iban, sale.SubmittedAt);
    }
}

/// <summary>Undoes Billing's part of a failed sale: the sale's lines and, when it opened the account, the account and its payment info.</summary>
[ConsumerName("signup-compensation")]
public sealed class SignupCompensationConsumer(UnitOfWork db) : InboxConsumer<SignupCompensationRequested>(db)
{
    protected override async Task Handle(SignupCompensationRequested failed, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            "DELETE FROM billing_lines WHERE subscription_id = ANY(@ids) AND signup_id = @SignupId",
            new { ids = failed.SubscriptionIds.ToArray(), failed.SignupId });
        await EventVersions.RecordRemovedAsync(db, BillingCopies.Line, failed.SubscriptionIds);
        if (!failed.RemoveAccount) return;
        await db.ExecuteAsync("DELETE FROM billing_accounts WHERE account_id = @AccountId AND signup_id = @SignupId", new { failed.AccountId, failed.SignupId });
        await EventVersions.RecordRemovedAsync(db, BillingCopies.Account, [failed.AccountId]);
    }
}
