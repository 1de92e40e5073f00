using MasStack.Contracts;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;

namespace MasStack.Consumption.Features.Lines;

// Consumption's copy of each line's tariff: its payment type and product from the sale (or the line added to a bundle),
// its number, status and product from Subscription's events (each field applied only when newer than what it holds; an
// event about a line not known yet is retried until it is), and its bonuses. A prepaid line's balance is opened with the
// product's initial credit, and the signup saga gets the confirmation of the step SignupSteps.Consumption.

public static class ConsumptionCopies
{
    public static readonly AggregateCopy Line = new("line", "consumption_lines", "subscription_id");
}

public static class LineOpening
{
    /// <summary>
    /// Records a sold line's payment type and product and, for a prepaid line, opens its balance with the product's initial
    /// credit (once: a repeat keeps the balance). Returns the saga's confirmation to publish: none for a postpaid line, or
    /// for a line of a sale undone already, which stays removed.
    /// </summary>
    public static async Task<PrepaidBalanceOpened?> OpenAsync(
        UnitOfWork db, Contracts.Catalogue catalogue, long signupId, long accountId, long userId, PaymentType paymentType, SignupLine line, DateTimeOffset at)
    {
        var credit = paymentType == PaymentType.Prepaid ? catalogue.Product(line.ProductCode)?.InitialCredit?.Amount ?? 0m : (decimal?)null;
        var balance = await db.QuerySingleOrDefaultAsync<BalanceRow>(
            $"""
            INSERT INTO consumption_lines (subscription_id, account_id, user_id, signup_id, product_code, payment_type, balance, balance_version)
            SELECT @SubscriptionId, @accountId, @userId, @signupId, @ProductCode, @PaymentType, @credit::numeric, CASE WHEN @credit::numeric IS NULL THEN 0 ELSE 1 END
            WHERE {EventVersions.NotRemoved(ConsumptionCopies.Line, "@SubscriptionId")}
            ON CONFLICT (subscription_id) DO UPDATE SET
                payment_type = excluded.payment_type, signup_id = coalesce(consumption_lines.signup_id, excluded.signup_id),
                balance = coalesce(consumption_lines.balance, excluded.balance),
                balance_version = greatest(consumption_lines.balance_version, excluded.balance_version)
            RETURNING balance AS Balance, balance_version AS Version
            """,
            new { line.SubscriptionId, accountId, userId, signupId, line.ProductCode, PaymentType = EnumText.Of(paymentType), credit });
        return balance?.Balance is { } opened // not when postpaid, or removed on purpose
            ? new PrepaidBalanceOpened(line.SubscriptionId, accountId, signupId, new Money(opened), at, balance.Version)
            : null;
    }

    private sealed record BalanceRow(decimal? Balance, long Version);
}

/// <summary>A line moved to another account of the same payment type: its balance or limit stays the line's, its account follows.</summary>
[ConsumerName("subscription-account-changed")]
public sealed class SubscriptionAccountChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionAccountChanged>(db)
{
    protected override Task Handle(SubscriptionAccountChanged move, UnitOfWork db, CancellationToken ct) => LineMoves.ApplyAsync(db, ConsumptionCopies.Line, move);
}

[ConsumerName("signup-submitted")]
public sealed class SignupSubmittedConsumer(UnitOfWork db, CatalogueClient catalogues) : InboxConsumer<SignupSubmitted>(db)
{
    private Contracts.Catalogue? _catalogue;

    protected override async Task<bool> PrepareAsync(SignupSubmitted message, CancellationToken ct)
    {
        _catalogue = await catalogues.GetAsync(ct);
        return true;
    }

    protected override async Task Handle(SignupSubmitted sale, UnitOfWork db, CancellationToken ct)
    {
        var opened = new List<PrepaidBalanceOpened>(sale.Lines.Count);
        foreach (var line in sale.Lines)
            if (await LineOpening.OpenAsync(db, _catalogue!, sale.SignupId, sale.AccountId, sale.UserId, sale.PaymentType, line, sale.SubmittedAt) is { } balance)
                opened.Add(balance);
        await db.PublishTogetherAsync(opened, all => new PrepaidBalancesOpened(sale.SignupId, all));
    }
}

[ConsumerName("line-added-to-bundle")]
public sealed class LineAddedToBundleConsumer(UnitOfWork db, CatalogueClient catalogues) : InboxConsumer<LineAddedToBundle>(db)
{
    private Contracts.Catalogue? _catalogue;

    protected override async Task<bool> PrepareAsync(LineAddedToBundle message, CancellationToken ct)
    {
        _catalogue = await catalogues.GetAsync(ct);
        return true;
    }

    protected override async Task Handle(LineAddedToBundle added, UnitOfWork db, CancellationToken ct)
    {
        if (await LineOpening.OpenAsync(db, _catalogue!, added.SignupId, added.AccountId, added.UserId, added.PaymentType, added.Line, added.SubmittedAt)
            is { } balance)
            await db.PublishAsync(balance);
    }
}

[ConsumerName("subscription-created")]
public sealed class SubscriptionCreatedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionCreated>(db)
{
    protected override Task Handle(SubscriptionCreated line, UnitOfWork db, CancellationToken ct) => ApplyAsync(db, line);

    public static async Task ApplyAsync(UnitOfWork db, SubscriptionCreated line)
    {
        // The number, account and user are the line's from its creation on; status and product only when newer than held.
        var applied = await db.ExecuteAsync(
            $"""
            INSERT INTO consumption_lines (subscription_id, account_id, user_id, signup_id, number, product_code, status, status_version, version, created_at)
            SELECT @SubscriptionId, @AccountId, @UserId, @SignupId, @Number, @ProductCode, @Status, @Version, @Version, @CreatedAt
            WHERE {EventVersions.NotRemoved(ConsumptionCopies.Line, "@SubscriptionId")}
            ON CONFLICT (subscription_id) DO UPDATE SET
                account_id = CASE WHEN consumption_lines.account_id = 0 THEN excluded.account_id ELSE consumption_lines.account_id END,
                user_id = CASE WHEN consumption_lines.user_id = 0 THEN excluded.user_id ELSE consumption_lines.user_id END,
                number = excluded.number, signup_id = coalesce(consumption_lines.signup_id, excluded.signup_id),
                status = CASE WHEN consumption_lines.status_version < excluded.status_version THEN excluded.status ELSE consumption_lines.status END,
                status_version = greatest(consumption_lines.status_version, excluded.status_version),
                product_code = CASE WHEN consumption_lines.version < excluded.version THEN excluded.product_code ELSE consumption_lines.product_code END,
                version = greatest(consumption_lines.version, excluded.version),
                created_at = excluded.created_at
            """,
            new
            {
                line.SubscriptionId, line.AccountId, line.UserId, line.SignupId, line.Number, line.ProductCode, line.Version, line.CreatedAt,
                Status = EnumText.Of(line.Status),
            });
        if (applied == 0) return; // removed on purpose: a failed sale's line arriving late
        var same = await db.QuerySingleOrDefaultAsync<bool>(
            "SELECT signup_id IS NOT DISTINCT FROM @SignupId OR @SignupId IS NULL FROM consumption_lines WHERE subscription_id = @SubscriptionId",
            new { line.SubscriptionId, line.SignupId });
        IdCollisionException.ThrowIfOther("consumption_lines", line.SubscriptionId, same, "another sale");
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
        if (!await EventVersions.AppliesAsync(db, ConsumptionCopies.Line, "status_version", change.SubscriptionId, change.Version)) return;
        await db.ExecuteAsync(
            """
            UPDATE consumption_lines SET status = @Status, account_id = CASE WHEN @Version >= account_version THEN @AccountId ELSE account_id END, status_version = greatest(status_version, @Version)
            WHERE subscription_id = @SubscriptionId
            """,
            new { change.SubscriptionId, change.AccountId, change.Version, Status = EnumText.Of(change.To) });
    }
}

[ConsumerName("subscription-product-changed")]
public sealed class SubscriptionProductChangedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionProductChanged>(db)
{
    protected override async Task Handle(SubscriptionProductChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!await EventVersions.AppliesAsync(db, ConsumptionCopies.Line, "version", change.SubscriptionId, change.Version)) return;
        await db.ExecuteAsync(
            "UPDATE consumption_lines SET product_code = @ToProductCode, version = greatest(version, @Version) WHERE subscription_id = @SubscriptionId",
            new { change.SubscriptionId, change.ToProductCode, change.Version });
    }
}

/// <summary>A bonus added to a line adds its allowances (from the catalogue) for its validity dates; one removed before it arrived stays removed.</summary>
[ConsumerName("subscription-offer-added")]
public sealed class SubscriptionOfferAddedConsumer(UnitOfWork db, CatalogueClient catalogues) : InboxConsumer<SubscriptionOfferAdded>(db)
{
    private Contracts.Catalogue? _catalogue;

    protected override async Task<bool> PrepareAsync(SubscriptionOfferAdded offer, CancellationToken ct)
    {
        if (offer.Kind == OfferKind.Bonus) _catalogue = await catalogues.GetAsync(ct);
        return true;
    }

    protected override async Task Handle(SubscriptionOfferAdded offer, UnitOfWork db, CancellationToken ct)
    {
        if (offer.Kind != OfferKind.Bonus) return;
        var allowances = _catalogue!.Bonuses.FirstOrDefault(b => b.Code == offer.Code)?.Allowances ?? new Allowances();
        await db.ExecuteAsync(
            """
            INSERT INTO line_bonuses (offer_id, subscription_id, code, start_date, end_date, data_mb, voice_minutes, sms)
            VALUES (@OfferId, @SubscriptionId, @Code, @StartDate, @EndDate, @DataMb, @VoiceMinutes, @Sms)
            ON CONFLICT (offer_id) DO NOTHING
            """,
            new { offer.OfferId, offer.SubscriptionId, offer.Code, offer.StartDate, offer.EndDate, allowances.DataMb, allowances.VoiceMinutes, allowances.Sms });
    }
}

[ConsumerName("subscription-offer-removed")]
public sealed class SubscriptionOfferRemovedConsumer(UnitOfWork db) : InboxConsumer<SubscriptionOfferRemoved>(db)
{
    protected override async Task Handle(SubscriptionOfferRemoved offer, UnitOfWork db, CancellationToken ct)
    {
        if (offer.Kind != OfferKind.Bonus) return;
        await db.ExecuteAsync(
            """
            INSERT INTO line_bonuses (offer_id, subscription_id, code, start_date, end_date, removed)
            VALUES (@OfferId, @SubscriptionId, @Code, @Epoch, @Epoch, true)
            ON CONFLICT (offer_id) DO UPDATE SET removed = true
            """,
            new { offer.OfferId, offer.SubscriptionId, offer.Code, Epoch = DateOnly.MinValue });
    }
}

/// <summary>Undoes Consumption's part of a failed sale: its lines and their balances are removed, and a late event about one changes nothing.</summary>
[ConsumerName("signup-compensation")]
public sealed class SignupCompensationConsumer(UnitOfWork db) : InboxConsumer<SignupCompensationRequested>(db)
{
    protected override async Task Handle(SignupCompensationRequested failed, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            "DELETE FROM consumption_lines WHERE subscription_id = ANY(@ids) AND (signup_id = @SignupId OR signup_id IS NULL)",
            new { ids = failed.SubscriptionIds.ToArray(), failed.SignupId });
        await EventVersions.RecordRemovedAsync(db, ConsumptionCopies.Line, failed.SubscriptionIds);
    }
}
