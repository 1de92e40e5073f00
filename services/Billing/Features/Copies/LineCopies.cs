using MasStack.Billing.Features.Invoicing;
using MasStack.Billing.Features.Migrations;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;

namespace MasStack.Billing.Features.Copies;

[ConsumerName("subscription-created")]
public sealed class SubscriptionCreatedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionCreated>(db)
{
    protected override Task Handle(SubscriptionCreated line, UnitOfWork db, CancellationToken ct) => ApplyAsync(db, line);

    public static async Task ApplyAsync(UnitOfWork db, SubscriptionCreated line)
    {
        var inserted = await db.ExecuteAsync(
            $"""
            INSERT INTO billing_lines (subscription_id, account_id, signup_id, type, number, product_code, status, status_version, created_at)
            SELECT @SubscriptionId, @AccountId, @SignupId, @Type, @Number, @ProductCode, @Status, @Version, @CreatedAt
            WHERE {EventVersions.NotRemoved(BillingCopies.Line, "@SubscriptionId")}
            ON CONFLICT (subscription_id) DO NOTHING
            """,
            new
            {
                line.SubscriptionId, line.AccountId, line.SignupId, line.Number, line.ProductCode, line.Version, line.CreatedAt,
                Type = EnumText.Of(line.Type), Status = EnumText.Of(line.Status),
            });
        if (inserted > 0) return;
        var same = await db.QuerySingleOrDefaultAsync<bool?>(
            "SELECT account_id = @AccountId FROM billing_lines WHERE subscription_id = @SubscriptionId", new { line.SubscriptionId, line.AccountId });
        if (same is { } isSame) IdCollisionException.ThrowIfOther("billing_lines", line.SubscriptionId, isSame, "another account");
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

/// <summary>
/// A line's status: the status itself follows the newest version; the day it became active (the earliest seen) and the
/// day it ended are kept from any event, whatever its order.
/// </summary>
/// <summary>An account moved to another bundle (its lines' product changes, prorated, come as their own events).</summary>
[ConsumerName("account-bundle-changed")]
public sealed class AccountBundleChangedConsumer(UnitOfWork db) : InboxConsumer<AccountBundleChanged>(db)
{
    protected override Task Handle(AccountBundleChanged change, UnitOfWork db, CancellationToken ct) => BundleChanges.ApplyAsync(db, BillingCopies.Account, change);
}

/// <summary>
/// A line moved to another account: invoiced there from the day after the move, and to the account it left up to that day
/// (the move is kept, dated, for the proration).
/// </summary>
[ConsumerName("subscription-account-changed")]
public sealed class SubscriptionAccountChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionAccountChanged>(db)
{
    protected override async Task Handle(SubscriptionAccountChanged move, UnitOfWork db, CancellationToken ct)
    {
        await LineMoves.ApplyAsync(db, BillingCopies.Line, move);
        await MigrationCharges.RecordMoveAsync(db, move);
    }
}

[ConsumerName("subscription-status-changed")]
public sealed class SubscriptionStatusChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct) =>
        LineDates.ApplyAsync(db, change.SubscriptionId, change.Version, change.To, BillingDates.Of(change.ChangedAt), null);
}

[ConsumerName("subscription-terminated")]
public sealed class SubscriptionTerminatedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionTerminated>(db)
{
    protected override Task Handle(SubscriptionTerminated ended, UnitOfWork db, CancellationToken ct) =>
        LineDates.ApplyAsync(db, ended.SubscriptionId, ended.Version, SubscriptionStatus.Terminated, BillingDates.Of(ended.TerminatedAt),
            ended.InCommitment ? ended.EarlyTerminationFee.Amount : null, ended.ActivatedAt is { } a ? BillingDates.Of(a) : null);
}

[ConsumerName("subscription-ported-out")]
public sealed class SubscriptionPortedOutConsumer(UnitOfWork db) : InboxConsumer<SubscriptionPortedOut>(db)
{
    protected override Task Handle(SubscriptionPortedOut ended, UnitOfWork db, CancellationToken ct) =>
        LineDates.ApplyAsync(db, ended.SubscriptionId, ended.Version, SubscriptionStatus.PortedOut, BillingDates.Of(ended.PortedOutAt), null,
            ended.ActivatedAt is { } a ? BillingDates.Of(a) : null);
}

[ConsumerName("subscription-cancelled")]
public sealed class SubscriptionCancelledConsumer(UnitOfWork db) : InboxConsumer<SubscriptionCancelled>(db)
{
    protected override Task Handle(SubscriptionCancelled ended, UnitOfWork db, CancellationToken ct) =>
        LineDates.ApplyAsync(db, ended.SubscriptionId, ended.Version, SubscriptionStatus.Cancelled, BillingDates.Of(ended.CancelledAt), null);
}

public static class LineDates
{
    /// <summary>Locks the line's copy; throws to be retried when it is not known yet; false when it was removed on purpose.</summary>
    public static async Task<long?> LockAsync(UnitOfWork db, long subscriptionId)
    {
        var held = await db.QuerySingleOrDefaultAsync<long?>(
            "SELECT status_version FROM billing_lines WHERE subscription_id = @subscriptionId FOR UPDATE", new { subscriptionId });
        if (held is not null) return held;
        // Not known here yet: retried until the creation has arrived, unless the line was removed on purpose.
        await EventVersions.AppliesAsync(db, BillingCopies.Line, "status_version", subscriptionId, EventVersions.Unversioned);
        return null;
    }

    public static async Task ApplyAsync(
        UnitOfWork db, long subscriptionId, long version, SubscriptionStatus to, DateOnly on, decimal? earlyTerminationFee, DateOnly? activatedOn = null)
    {
        if (await LockAsync(db, subscriptionId) is not { } held) return;
        var activated = to == SubscriptionStatus.Active ? on : activatedOn;
        var ended = EndedLines.Contains(to) ? on : (DateOnly?)null;
        await db.ExecuteAsync(
            """
            UPDATE billing_lines SET
                activated_on = CASE WHEN @activated::date IS NULL THEN activated_on ELSE least(coalesce(activated_on, @activated::date), @activated::date) END,
                ended_on = CASE WHEN @ended::date IS NULL THEN ended_on ELSE least(coalesce(ended_on, @ended::date), @ended::date) END,
                early_termination_fee = coalesce(@earlyTerminationFee, early_termination_fee),
                status = CASE WHEN @newer THEN @status ELSE status END,
                status_version = greatest(status_version, @version)
            WHERE subscription_id = @subscriptionId
            """,
            new { subscriptionId, activated, ended, earlyTerminationFee, newer = EventVersions.IsNewer(version, held), status = EnumText.Of(to), version });
    }
}

[ConsumerName("subscription-product-changed")]
public sealed class SubscriptionProductChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionProductChanged>(db)
{
    protected override async Task Handle(SubscriptionProductChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (await LineDates.LockAsync(db, change.SubscriptionId) is null) return;
        await db.ExecuteAsync(
            """
            INSERT INTO line_product_changes (subscription_id, changed_at, changed_on, product_code) VALUES (@SubscriptionId, @ChangedAt, @on, @ToProductCode)
            ON CONFLICT DO NOTHING
            """, new { change.SubscriptionId, change.ChangedAt, on = BillingDates.Of(change.ChangedAt), change.ToProductCode });
    }
}

[ConsumerName("subscription-offer-added")]
public sealed class SubscriptionOfferAddedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionOfferAdded>(db)
{
    protected override async Task Handle(SubscriptionOfferAdded offer, UnitOfWork db, CancellationToken ct)
    {
        if (await LineDates.LockAsync(db, offer.SubscriptionId) is null) return;
        await db.ExecuteAsync(
            """
            INSERT INTO line_offers (offer_id, subscription_id, kind, code, start_date, end_date) VALUES (@OfferId, @SubscriptionId, @Kind, @Code, @StartDate, @EndDate)
            ON CONFLICT (offer_id) DO UPDATE SET start_date = excluded.start_date, end_date = excluded.end_date
            """, new { offer.OfferId, offer.SubscriptionId, Kind = EnumText.Of(offer.Kind), offer.Code, offer.StartDate, offer.EndDate });
    }
}

[ConsumerName("subscription-offer-removed")]
public sealed class SubscriptionOfferRemovedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionOfferRemoved>(db)
{
    protected override async Task Handle(SubscriptionOfferRemoved offer, UnitOfWork db, CancellationToken ct)
    {
        if (await LineDates.LockAsync(db, offer.SubscriptionId) is null) return;
        await db.ExecuteAsync(
            """
            INSERT INTO line_offers (offer_id, subscription_id, kind, code, removed_on) VALUES (@OfferId, @SubscriptionId, @Kind, @Code, @on)
            ON CONFLICT (offer_id) DO UPDATE SET removed_on = excluded.removed_on
            """, new { offer.OfferId, offer.SubscriptionId, Kind = EnumText.Of(offer.Kind), offer.Code, on = BillingDates.Of(offer.RemovedAt) });
    }
}

/// <summary>Consumption's running total of a line's usage beyond allowance in a month: the highest version wins.</summary>
[ConsumerName("usage-charged")]
public sealed class UsageChargedConsumer(UnitOfWork db) : InboxConsumer<UsageCharged>(db)
{
    protected override Task Handle(UsageCharged usage, UnitOfWork db, CancellationToken ct) =>
        db.ExecuteAsync(
            """
            INSERT INTO usage_charges (subscription_id, period, account_id, total, version) VALUES (@SubscriptionId, @Period, @AccountId, @total, @Version)
            ON CONFLICT (subscription_id, period) DO UPDATE SET total = excluded.total, account_id = excluded.account_id, version = excluded.version
            WHERE usage_charges.version < excluded.version OR excluded.version = 0
            """, new { usage.SubscriptionId, usage.Period, usage.AccountId, total = usage.Total.Amount, usage.Version });
}
