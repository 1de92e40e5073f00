using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Customer.Features.Tree;

// The read model follows the owners' events, each applied only when newer than what the tree holds (an event about a
// line whose creation has not arrived yet is retried until it has); each change drops the user's cached tree once it commits.

public static class TreeCopies
{
    public static readonly AggregateCopy Account = new("account", "tree_accounts", "account_id");
    public static readonly AggregateCopy Line = new("line", "tree_subscriptions", "subscription_id");
}

[ConsumerName("account-opened")]
public sealed class AccountOpenedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<AccountOpened>(db)
{
    protected override async Task Handle(AccountOpened account, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            $"""
            INSERT INTO tree_accounts (account_id, user_id, status, payment_type, bundle_code, opened_at, version)
            SELECT @AccountId, @UserId, @Status, @PaymentType, @BundleCode, @OpenedAt, @Version
            WHERE {EventVersions.NotRemoved(TreeCopies.Account, "@AccountId")}
            ON CONFLICT (account_id) DO UPDATE SET status = excluded.status, payment_type = excluded.payment_type, bundle_code = excluded.bundle_code,
                version = greatest(tree_accounts.version, excluded.version)
            WHERE excluded.version = 0 OR excluded.version > tree_accounts.version
            """,
            new
            {
                account.AccountId, account.UserId, account.BundleCode, account.OpenedAt, account.Version,
                Status = EnumText.Of(account.Status), PaymentType = EnumText.Of(account.PaymentType),
            });
        trees.InvalidateAfterCommit(db, account.UserId);
    }
}

[ConsumerName("subscription-created")]
public sealed class SubscriptionCreatedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SubscriptionCreated>(db)
{
    protected override async Task Handle(SubscriptionCreated line, UnitOfWork db, CancellationToken ct)
    {
        await KeepAsync(db, line);
        trees.InvalidateAfterCommit(db, line.UserId, Lookups(line));
    }

    /// <summary>The line in the tree; its holder's tree and the lookup by its number are invalidated by the caller, once a transaction.</summary>
    public static async Task KeepAsync(UnitOfWork db, SubscriptionCreated line)
    {
        await db.ExecuteAsync(
            $"""
            INSERT INTO tree_subscriptions
                (subscription_id, account_id, user_id, type, number, product_code, status, created_at, status_version, product_version)
            SELECT @SubscriptionId, @AccountId, @UserId, @Type, @Number, @ProductCode, @Status, @CreatedAt, @Version, @Version
            WHERE {EventVersions.NotRemoved(TreeCopies.Line, "@SubscriptionId")}
            ON CONFLICT (subscription_id) DO NOTHING
            """,
            new
            {
                line.SubscriptionId, line.AccountId, line.UserId, line.Number, line.ProductCode, line.CreatedAt, line.Version,
                Type = EnumText.Of(line.Type), Status = EnumText.Of(line.Status),
            });
    }

    public static IEnumerable<TreeLookup> Lookups(SubscriptionCreated line) => line.Number is { } number ? [TreeLookup.Msisdn(number)] : [];
}

/// <summary>A sale's lines, created together: each kept as its own creation would be, and the holder's tree invalidated once.</summary>
[ConsumerName("subscriptions-created")]
public sealed class SubscriptionsCreatedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SubscriptionsCreated>(db)
{
    protected override async Task Handle(SubscriptionsCreated sale, UnitOfWork db, CancellationToken ct)
    {
        foreach (var line in sale.Lines) await SubscriptionCreatedConsumer.KeepAsync(db, line);
        foreach (var holder in sale.Lines.GroupBy(l => l.UserId))
            trees.InvalidateAfterCommit(db, holder.Key, holder.SelectMany(SubscriptionCreatedConsumer.Lookups));
    }
}

/// <summary>An account moved to another bundle: the tree shows it.</summary>
[ConsumerName("account-bundle-changed")]
public sealed class AccountBundleChangedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<AccountBundleChanged>(db)
{
    protected override async Task Handle(AccountBundleChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (await BundleChanges.ApplyAsync(db, TreeCopies.Account, change)) trees.InvalidateAfterCommit(db, change.UserId);
    }
}

/// <summary>A line moved to another account (a migration, or its undoing): the tree shows it under its new account.</summary>
[ConsumerName("subscription-account-changed")]
public sealed class SubscriptionAccountChangedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SubscriptionAccountChanged>(db)
{
    protected override async Task Handle(SubscriptionAccountChanged move, UnitOfWork db, CancellationToken ct)
    {
        if (await LineMoves.ApplyAsync(db, TreeCopies.Line, move)) trees.InvalidateAfterCommit(db, move.UserId);
    }
}

/// <summary>A failed migration's new account never served the customer: it leaves the tree (and a late opening changes nothing).</summary>
[ConsumerName("migration-failed")]
public sealed class MigrationFailedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<MigrationFailed>(db)
{
    protected override async Task Handle(MigrationFailed failed, UnitOfWork db, CancellationToken ct)
    {
        if (!failed.NewAccount) return;
        await db.ExecuteAsync("DELETE FROM tree_accounts WHERE account_id = @TargetAccountId", failed);
        await EventVersions.RecordRemovedAsync(db, TreeCopies.Account, [failed.TargetAccountId]);
        trees.InvalidateAfterCommit(db, failed.UserId);
    }
}

[ConsumerName("subscription-status-changed")]
public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override async Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!Enum.IsDefined(change.To)) return; // a status newer than this service ("other"): the tree keeps what it can show
        if (!await EventVersions.AppliesAsync(db, TreeCopies.Line, "status_version", change.SubscriptionId, change.Version)) return;
        // A line that is cancelled or moves away may free its number for another user: its lookup is dropped too.
        var numbers = await db.QueryAsync<string?>(
            """
            UPDATE tree_subscriptions SET status = @Status, status_version = greatest(status_version, @Version)
            WHERE subscription_id = @SubscriptionId RETURNING number
            """,
            new { change.SubscriptionId, change.Version, Status = EnumText.Of(change.To) });
        trees.InvalidateAfterCommit(db, change.UserId, numbers.OfType<string>().Select(TreeLookup.Msisdn));
    }
}

/// <summary>Barring publishes it: the tree shows a line as barred while any barring or a SIM block is active, the barred types and the SIM's status.</summary>
[ConsumerName("subscription-barring-changed")]
public sealed class SubscriptionBarringChangedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<SubscriptionBarringChanged>(db)
{
    protected override async Task Handle(SubscriptionBarringChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!await EventVersions.AppliesAsync(db, TreeCopies.Line, "barring_version", change.SubscriptionId, change.Version)) return;
        // Unversioned changes (Barring before versions) are ordered by their time, as they always were.
        await db.ExecuteAsync(
            """
            UPDATE tree_subscriptions SET barred = @Barred, barrings = @barrings, sim_status = coalesce(@SimStatus, sim_status),
                   barring_changed_at = @ChangedAt, barring_version = greatest(barring_version, @Version)
            WHERE subscription_id = @SubscriptionId AND (@Version > 0 OR barring_changed_at IS NULL OR barring_changed_at < @ChangedAt)
            """,
            new { change.SubscriptionId, change.Barred, barrings = change.ActiveBarrings.ToArray(), change.SimStatus, change.ChangedAt, change.Version });
        trees.InvalidateAfterCommit(db, change.UserId);
    }
}

/// <summary>An account's status changed (closed when its last line ended): the tree shows it.</summary>
[ConsumerName("account-status-changed")]
public sealed class AccountStatusChangedConsumer(UnitOfWork db, CustomerTrees trees) : InboxConsumer<AccountStatusChanged>(db)
{
    protected override async Task Handle(AccountStatusChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!Enum.IsDefined(change.To)) return; // a status newer than this service ("other"): the tree keeps what it can show
        if (!await EventVersions.AppliesAsync(db, TreeCopies.Account, "version", change.AccountId, change.Version)) return;
        await db.ExecuteAsync(
            "UPDATE tree_accounts SET status = @Status, version = greatest(version, @Version) WHERE account_id = @AccountId",
            new { change.AccountId, change.Version, Status = EnumText.Of(change.To) });
        trees.InvalidateAfterCommit(db, change.UserId);
    }
}
