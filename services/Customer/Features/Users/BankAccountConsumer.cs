using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Customer.Features.Users;

/// <summary>
/// The user's masked bank account follows Billing's payment info; Customer never holds the full IBAN. A change applies when
/// newer than the one applied last (a user's accounts may each change theirs: the latest change is what the user shows).
/// The payment info stored from a sale carries what the sale gave Customer already, so it needs no user yet; any later
/// change about a user not known here yet is retried until the user has arrived.
/// </summary>
[ConsumerName("payment-info-changed")]
public sealed class PaymentInfoChangedConsumer(UnitOfWork db) : InboxConsumer<PaymentInfoChanged>(db)
{
    protected override async Task Handle(PaymentInfoChanged change, UnitOfWork db, CancellationToken ct)
    {
        var known = await db.QuerySingleOrDefaultAsync<bool?>(
            """
            WITH updated AS (
                UPDATE users SET bank_account_masked = @MaskedIban, bank_account_changed_at = @ChangedAt
                WHERE id = @UserId AND (bank_account_changed_at IS NULL OR bank_account_changed_at < @ChangedAt)
                RETURNING id)
            SELECT EXISTS (SELECT 1 FROM updated) OR EXISTS (SELECT 1 FROM users WHERE id = @UserId)
            """, new { change.UserId, change.MaskedIban, change.ChangedAt });
        if (known != true && change.SignupId is null) throw new AggregateNotKnownYetException("user", change.UserId);
    }
}
