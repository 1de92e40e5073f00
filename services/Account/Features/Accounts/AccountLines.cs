using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Account.Features.Accounts;

// Account keeps the lines of each account from Subscription's events, each applied only when newer than what it holds;
// an event about a line whose creation has not arrived yet is retried until it has.

public static class AccountCopies
{
    public static readonly AggregateCopy Line = new("line", "account_subscriptions", "subscription_id");
}

[ConsumerName("subscription-created")]
public sealed class SubscriptionCreatedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionCreated>(db)
{
    protected override async Task Handle(SubscriptionCreated line, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            $"""
            INSERT INTO account_subscriptions (subscription_id, account_id, type, product_code, status, status_version)
            SELECT @SubscriptionId, @AccountId, @Type, @ProductCode, @Status, @Version
            WHERE {EventVersions.NotRemoved(AccountCopies.Line, "@SubscriptionId")}
            ON CONFLICT (subscription_id) DO NOTHING
            """,
            new { line.SubscriptionId, line.AccountId, line.ProductCode, line.Version, Type = EnumText.Of(line.Type), Status = EnumText.Of(line.Status) });
    }
}

[ConsumerName("subscription-status-changed")]
public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override async Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!Enum.IsDefined(change.To)) return; // a status newer than this service ("other"): the copy keeps what it can show
        if (!await EventVersions.AppliesAsync(db, AccountCopies.Line, "status_version", change.SubscriptionId, change.Version)) return;
        await db.ExecuteAsync(
            """
            UPDATE account_subscriptions SET status = @Status, status_version = greatest(status_version, @Version), updated_at = now()
            WHERE subscription_id = @SubscriptionId
            """,
            new { change.SubscriptionId, change.Version, Status = EnumText.Of(change.To) });
    }
}
