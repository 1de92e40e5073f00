using MasStack.Contracts;
using MasStack.Platform.Messaging;
using MasStack.Platform.Data;

namespace MasStack.Customer.Features.Tree;

/// <summary>A line's new tariff shows in its user's tree.</summary>
[ConsumerName("subscription-product-changed")]
public sealed class SubscriptionProductChangedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SubscriptionProductChanged>(db)
{
    protected override async Task Handle(SubscriptionProductChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!await EventVersions.AppliesAsync(db, TreeCopies.Line, "product_version", change.SubscriptionId, change.Version)) return;
        await db.ExecuteAsync(
            """
            UPDATE tree_subscriptions SET product_code = @ToProductCode, product_version = greatest(product_version, @Version)
            WHERE subscription_id = @SubscriptionId
            """,
            new { change.SubscriptionId, change.ToProductCode, change.Version });
        trees.InvalidateAfterCommit(db, change.UserId);
    }
}
