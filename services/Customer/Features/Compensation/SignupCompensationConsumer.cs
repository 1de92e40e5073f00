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
            await db.ExecuteAsync("DELETE FROM tree_subscriptions WHERE account_id = @AccountId", new { failed.AccountId });
            await db.ExecuteAsync("DELETE FROM tree_accounts WHERE account_id = @AccountId", new { failed.AccountId });
        }
        if (failed.RemoveUser)
        {
            await db.ExecuteAsync("DELETE FROM tree_subscriptions WHERE user_id = @UserId", new { failed.UserId });
            await db.ExecuteAsync("DELETE FROM tree_accounts WHERE user_id = @UserId", new { failed.UserId });
            // The audit trail (user_changes) stays: what was done to data, even data now gone, is kept.
            await db.ExecuteAsync("DELETE FROM user_expeditions WHERE user_id = @UserId", new { failed.UserId });
            await db.ExecuteAsync("DELETE FROM users WHERE id = @UserId", new { failed.UserId });
        }
        trees.InvalidateAfterCommit(db, failed.UserId);
    }
}
