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
        await db.ExecuteAsync(
            "UPDATE tree_subscriptions SET product_code = @ToProductCode WHERE subscription_id = @SubscriptionId",
            new { change.SubscriptionId, change.ToProductCode });
        trees.InvalidateAfterCommit(db, change.UserId);
    }
}
