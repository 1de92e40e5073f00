using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Account.Features.Accounts;

// Account keeps the lines of each account from Subscription's events.

[ConsumerName("subscription-created")]
public sealed class SubscriptionCreatedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionCreated>(db)
{
    protected override Task Handle(SubscriptionCreated line, UnitOfWork db, CancellationToken ct) =>
        db.ExecuteAsync(
            """
            INSERT INTO account_subscriptions (subscription_id, account_id, type, product_code, status)
            VALUES (@SubscriptionId, @AccountId, @Type, @ProductCode, @Status)
            ON CONFLICT (subscription_id) DO NOTHING
            """,
            new { line.SubscriptionId, line.AccountId, line.ProductCode, Type = EnumText.Of(line.Type), Status = EnumText.Of(line.Status) });
}

[ConsumerName("subscription-status-changed")]
public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct) =>
        !Enum.IsDefined(change.To) ? Task.CompletedTask // a status newer than this service ("other"): the copy keeps what it can show
        : db.ExecuteAsync(
            "UPDATE account_subscriptions SET status = @Status, updated_at = now() WHERE subscription_id = @SubscriptionId",
            new { change.SubscriptionId, Status = EnumText.Of(change.To) });
}
