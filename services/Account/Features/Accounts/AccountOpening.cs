using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;

namespace MasStack.Account.Features.Accounts;

/// <summary>Opens the account of a sale and confirms to the signup saga.</summary>
[ConsumerName("signup-submitted")]
public sealed class SignupSubmittedConsumer(UnitOfWork db) : InboxConsumer<SignupSubmitted>(db)
{
    /// <summary>Invoices are cut on the 1st: one billing cycle per calendar month.</summary>
    public const int BillingDay = 1;

    protected override async Task Handle(SignupSubmitted signup, UnitOfWork db, CancellationToken ct)
    {
        var inserted = await db.ExecuteAsync(
            """
            INSERT INTO accounts (id, user_id, signup_id, status, payment_type, bundle_code, billing_day, opened_at, terms, terms_accepted_at)
            VALUES (@AccountId, @UserId, @SignupId, @Status, @PaymentType, @BundleCode, @BillingDay, @SubmittedAt, @Terms::jsonb,
                    CASE WHEN @Terms IS NULL THEN NULL ELSE @SubmittedAt END)
            ON CONFLICT (id) DO NOTHING
            """,
            new
            {
                signup.AccountId, signup.UserId, signup.SignupId, signup.BundleCode, BillingDay, signup.SubmittedAt,
                Status = EnumText.Of(AccountStatus.Active), PaymentType = EnumText.Of(signup.PaymentType),
                Terms = AccountTerms.Json(signup.Terms),
            });
        if (inserted == 0)
        {
            var same = await db.QuerySingleOrDefaultAsync<bool>(
                "SELECT signup_id IS NOT DISTINCT FROM @SignupId AND user_id = @UserId FROM accounts WHERE id = @AccountId",
                new { signup.AccountId, signup.SignupId, signup.UserId });
            IdCollisionException.ThrowIfOther("accounts", signup.AccountId, same, "another sale or user");
        }
        await db.PublishAsync(new AccountOpened(
            signup.AccountId, signup.UserId, signup.SignupId, AccountStatus.Active, signup.PaymentType, signup.BundleCode, signup.SubmittedAt,
            Version: 1));
    }
}
