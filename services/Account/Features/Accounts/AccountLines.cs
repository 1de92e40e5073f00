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
    protected override Task Handle(SubscriptionCreated line, UnitOfWork db, CancellationToken ct) => ApplyAsync(db, line);

    public static async Task ApplyAsync(UnitOfWork db, SubscriptionCreated line)
    {
        await db.ExecuteAsync(
            $"""
            INSERT INTO account_subscriptions (subscription_id, account_id, type, product_code, status, status_version, product_version)
            SELECT @SubscriptionId, @AccountId, @Type, @ProductCode, @Status, @Version, @Version
            WHERE {EventVersions.NotRemoved(AccountCopies.Line, "@SubscriptionId")}
            ON CONFLICT (subscription_id) DO NOTHING
            """,
            new { line.SubscriptionId, line.AccountId, line.ProductCode, line.Version, Type = EnumText.Of(line.Type), Status = EnumText.Of(line.Status) });
    }
}

/// <summary>A sale's lines, created together: each kept as its own creation would be, in one transaction.</summary>
[ConsumerName("subscriptions-created")]
public sealed class SubscriptionsCreatedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionsCreated>(db)
{
    protected override async Task Handle(SubscriptionsCreated sale, UnitOfWork db, CancellationToken ct)
    {
        foreach (var line in sale.Lines) await SubscriptionCreatedConsumer.ApplyAsync(db, line);
    }
}

[ConsumerName("subscription-status-changed")]
public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override async Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!Enum.IsDefined(change.To)) return; // a status newer than this service ("other"): the copy keeps what it can show
        if (!await EventVersions.AppliesAsync(db, AccountCopies.Line, "status_version", change.SubscriptionId, change.Version)) return;
        var accountId = await db.QuerySingleOrDefaultAsync<long>(
            """
            UPDATE account_subscriptions SET status = @Status, status_version = greatest(status_version, @Version), updated_at = now()
            WHERE subscription_id = @SubscriptionId RETURNING account_id
            """,
            new { change.SubscriptionId, change.Version, Status = EnumText.Of(change.To) });
        if (change.To is SubscriptionStatus.Terminated or SubscriptionStatus.PortedOut)
            await AccountClosing.CloseIfNoLineLeftAsync(db, accountId, change.ChangedAt);
    }
}

/// <summary>The line's product changed (its own change, a bundle migration, a change of payment type): the copy follows the newest.</summary>
[ConsumerName("subscription-product-changed")]
public sealed class SubscriptionProductChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionProductChanged>(db)
{
    protected override async Task Handle(SubscriptionProductChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!await EventVersions.AppliesAsync(db, AccountCopies.Line, "product_version", change.SubscriptionId, change.Version)) return;
        await db.ExecuteAsync(
            "UPDATE account_subscriptions SET product_code = @ToProductCode, product_version = @Version, updated_at = now() WHERE subscription_id = @SubscriptionId",
            new { change.SubscriptionId, change.ToProductCode, change.Version });
    }
}

/// <summary>
/// The line's barrings changed: the copy keeps why it is barred (a migration refuses only debt and fraud), following the
/// barring profile's versions. A barring added to a line already barred changes no status: only this event says so.
/// </summary>
[ConsumerName("subscription-barring-changed")]
public sealed class SubscriptionBarringChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionBarringChanged>(db)
{
    protected override async Task Handle(SubscriptionBarringChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!await EventVersions.AppliesAsync(db, AccountCopies.Line, "barring_version", change.SubscriptionId, change.Version)) return;
        await db.ExecuteAsync(
            """
            UPDATE account_subscriptions SET barring_reasons = @reasons, barring_version = greatest(barring_version, @Version), updated_at = now()
            WHERE subscription_id = @SubscriptionId
            """,
            new { change.SubscriptionId, change.Version, reasons = change.ActiveReasons?.ToArray() });
    }
}

[ConsumerName("subscription-account-changed")]
public sealed class SubscriptionAccountChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionAccountChanged>(db)
{
    protected override Task Handle(SubscriptionAccountChanged move, UnitOfWork db, CancellationToken ct) => LineMoves.ApplyAsync(db, AccountCopies.Line, move);
}

/// <summary>An account whose last line ended (terminated or ported out) is closed, and the change announced.</summary>
public static class AccountClosing
{
    /// <summary>The states in which a line no longer belongs to its account's business.</summary>
    public static bool HasEnded(SubscriptionStatus status) =>
        status is SubscriptionStatus.Cancelled or SubscriptionStatus.Moved or SubscriptionStatus.Terminated or SubscriptionStatus.PortedOut;

    /// <summary>Closes the account when every line it holds has ended (<paramref name="except"/>: a line leaving it, not counted).</summary>
    public static async Task CloseIfNoLineLeftAsync(UnitOfWork db, long accountId, DateTimeOffset at, long except = 0)
    {
        var held = await db.QuerySingleOrDefaultAsync<HeldAccount>(
            "SELECT user_id AS UserId, status FROM accounts WHERE id = @accountId FOR UPDATE", new { accountId });
        if (held is null || held.Status == EnumText.Of(AccountStatus.Closed)) return;
        var statuses = await db.QueryAsync<string>("SELECT status FROM account_subscriptions WHERE account_id = @accountId AND subscription_id <> @except", new { accountId, except });
        if (statuses.Any(s => s == EnumText.OtherText || !HasEnded(EnumText.Parse<SubscriptionStatus>(s)))) return;
        var version = await db.QuerySingleOrDefaultAsync<long>(
            "UPDATE accounts SET status = @Closed, version = version + 1, updated_at = @at WHERE id = @accountId RETURNING version",
            new { accountId, at, Closed = EnumText.Of(AccountStatus.Closed) });
        await db.PublishAsync(new AccountStatusChanged(
            accountId, held.UserId, EnumText.Parse<AccountStatus>(held.Status), AccountStatus.Closed, except == 0 ? "The account's last line ended." : "The account's last line moved to another account.", at, version));
    }

    private sealed record HeldAccount(long UserId, string Status);
}
