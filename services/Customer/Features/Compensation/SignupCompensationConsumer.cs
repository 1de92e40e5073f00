using MasStack.Contracts;
using MasStack.Customer.Features.Tree;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Customer.Features.Compensation;

/// <summary>
/// Undoes Customer's part of a failed sale: the user when Signup says it was created only for that sale, and the
/// sale's account in the tree (its lines are cancelled by Subscription, and shown so through their events).
/// </summary>
[ConsumerName("signup-compensation")]
public sealed class SignupCompensationConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SignupCompensationRequested>(db)
{
    protected override async Task Handle(SignupCompensationRequested failed, UnitOfWork db, CancellationToken ct)
    {
        if (failed.RemoveAccount)
        {
            var lines = await db.QueryAsync<long>(
                "DELETE FROM tree_subscriptions WHERE account_id = @AccountId RETURNING subscription_id", new { failed.AccountId });
            await db.ExecuteAsync("DELETE FROM tree_accounts WHERE account_id = @AccountId", new { failed.AccountId });
            await EventVersions.RecordRemovedAsync(db, TreeCopies.Line, lines.Concat(failed.SubscriptionIds));
            await EventVersions.RecordRemovedAsync(db, TreeCopies.Account, [failed.AccountId]);
        }
        if (failed.RemoveUser)
        {
            var lines = await db.QueryAsync<long>("DELETE FROM tree_subscriptions WHERE user_id = @UserId RETURNING subscription_id", new { failed.UserId });
            var accounts = await db.QueryAsync<long>("DELETE FROM tree_accounts WHERE user_id = @UserId RETURNING account_id", new { failed.UserId });
            await EventVersions.RecordRemovedAsync(db, TreeCopies.Line, lines.Concat(failed.SubscriptionIds));
            await EventVersions.RecordRemovedAsync(db, TreeCopies.Account, accounts.Append(failed.AccountId));
            // The audit trail (user_changes) stays: what was done to data, even data now gone, is kept.
            await db.ExecuteAsync("DELETE FROM user_expeditions WHERE user_id = @UserId", new { failed.UserId });
            await db.ExecuteAsync("DELETE FROM users WHERE id = @UserId", new { failed.UserId });
        }
        trees.InvalidateAfterCommit(db, failed.UserId);
    }
}
