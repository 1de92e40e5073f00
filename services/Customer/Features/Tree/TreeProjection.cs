using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Customer.Features.Tree;

// The read model follows the owners' events; each change drops the user's cached tree once it commits.

public sealed class AccountOpenedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<AccountOpened>(db)
{
    protected override async Task Handle(AccountOpened account, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            """
            INSERT INTO tree_accounts (account_id, user_id, status, payment_type, bundle_code, opened_at)
            VALUES (@AccountId, @UserId, @Status, @PaymentType, @BundleCode, @OpenedAt)
            ON CONFLICT (account_id) DO UPDATE SET status = excluded.status, payment_type = excluded.payment_type, bundle_code = excluded.bundle_code
            """,
            new
            {
                account.AccountId, account.UserId, account.BundleCode, account.OpenedAt,
                Status = EnumText.Of(account.Status), PaymentType = EnumText.Of(account.PaymentType),
            });
        trees.InvalidateAfterCommit(db, account.UserId);
    }
}

public sealed class SubscriptionCreatedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SubscriptionCreated>(db)
{
    protected override async Task Handle(SubscriptionCreated line, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            """
            INSERT INTO tree_subscriptions (subscription_id, account_id, user_id, type, number, product_code, status, created_at)
            VALUES (@SubscriptionId, @AccountId, @UserId, @Type, @Number, @ProductCode, @Status, @CreatedAt)
            ON CONFLICT (subscription_id) DO NOTHING
            """,
            new
            {
                line.SubscriptionId, line.AccountId, line.UserId, line.Number, line.ProductCode, line.CreatedAt,
                Type = EnumText.Of(line.Type), Status = EnumText.Of(line.Status),
            });
        trees.InvalidateAfterCommit(db, line.UserId);
    }
}

public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override async Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            "UPDATE tree_subscriptions SET status = @Status WHERE subscription_id = @SubscriptionId",
            new { change.SubscriptionId, Status = EnumText.Of(change.To) });
        trees.InvalidateAfterCommit(db, change.UserId);
    }
}
