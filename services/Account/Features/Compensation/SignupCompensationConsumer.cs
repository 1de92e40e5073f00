using MasStack.Account.Features.Accounts;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Account.Features.Compensation;

/// <summary>
/// Undoes Account's part of a failed sale: the account opened for it is removed (it never served a customer). A failed
/// line addition leaves the existing account alone; the line itself is cancelled by Subscription.
/// </summary>
[ConsumerName("signup-compensation")]
public sealed class SignupCompensationConsumer(UnitOfWork db) : InboxConsumer<SignupCompensationRequested>(db)
{
    protected override async Task Handle(SignupCompensationRequested failed, UnitOfWork db, CancellationToken ct)
    {
        if (!failed.RemoveAccount) return;
        var lines = await db.QueryAsync<long>(
            "DELETE FROM account_subscriptions WHERE account_id = @AccountId RETURNING subscription_id", new { failed.AccountId });
        await EventVersions.RecordRemovedAsync(db, AccountCopies.Line, lines.Concat(failed.SubscriptionIds));
        await db.ExecuteAsync("DELETE FROM accounts WHERE id = @AccountId AND signup_id = @SignupId", new { failed.AccountId, failed.SignupId });
    }
}
