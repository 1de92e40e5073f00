using MasStack.Billing.Features.Copies;
using MasStack.Billing.Features.PaymentInfo;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Billing.Features.Migrations;

/// <summary>
/// Billing's step of a migration to a new account: the account's billing, taxed where the source account is (its postal
/// code), and for a postpaid one its payment info — the IBAN the request gave, the holder given or the source's.
/// </summary>
[ConsumerName("migration-started")]
public sealed class MigrationStartedConsumer(UnitOfWork db) : InboxConsumer<MigrationStarted>(db)
{
    private const string Step = MigrationSteps.Billing;

    private sealed record Source(string PostalCode, string? Holder);

    protected override async Task Handle(MigrationStarted migration, UnitOfWork db, CancellationToken ct)
    {
        if (!migration.Steps.Contains(Step) || MigrationSteps.Faulted(migration.FailStep, Step, MigrationSteps.Silent)) return;
        var source = await db.QuerySingleOrDefaultAsync<Source>(
            """
            SELECT a.postal_code AS PostalCode, p.holder FROM billing_accounts a LEFT JOIN payment_info p USING (account_id)
            WHERE a.account_id = @SourceAccountId
            """, migration);
        var holder = migration.Holder ?? source?.Holder;
        var refusal = MigrationSteps.Faulted(migration.FailStep, Step) ? "Injected fault (Faults:Migrations)."
            : source is null ? $"Account {migration.SourceAccountId} is not known to Billing."
            : migration.TargetPaymentType == PaymentType.Postpaid && (migration.Iban is null || holder is null) ? "A postpaid account needs an IBAN and its holder."
            : null;
        if (refusal is not null)
        {
            await db.PublishAsync(new MigrationStepFailed(migration.MigrationId, Step, refusal, migration.StartedAt));
            return;
        }
        var opened = await db.ExecuteAsync(
            $"""
            INSERT INTO billing_accounts (account_id, user_id, payment_type, bundle_code, postal_code, created_at, migration_id)
            SELECT @TargetAccountId, @UserId, @PaymentType, @TargetBundleCode, @PostalCode, @StartedAt, @MigrationId
            WHERE {EventVersions.NotRemoved(BillingCopies.Account, "@TargetAccountId")}
            ON CONFLICT (account_id) DO NOTHING
            """,
            new
            {
                migration.TargetAccountId, migration.UserId, migration.TargetBundleCode, source!.PostalCode, migration.StartedAt, migration.MigrationId,
                PaymentType = EnumText.Of(migration.TargetPaymentType),
            });
        if (opened == 0) return; // undone before it ran
        if (migration.TargetPaymentType == PaymentType.Postpaid)
            await PaymentInfoStore.StoreFirstAsync(db, migration.TargetAccountId, migration.UserId, null, holder!, migration.Iban!, migration.StartedAt,
                by: "migration", why: $"Migration {migration.MigrationId} opened the account.");
        await db.PublishAsync(new MigrationStepCompleted(migration.MigrationId, Step, migration.StartedAt));
    }
}

/// <summary>
/// Undoes Billing's part: the migration's moves and credit go (every charge as before), and the account it opened (its payment
/// info with it); one not opened yet never will be. Then tells Account its part is undone.
/// </summary>
[ConsumerName("migration-failed")]
public sealed class MigrationFailedConsumer(UnitOfWork db, TimeProvider clock) : InboxConsumer<MigrationFailed>(db)
{
    private const string Step = MigrationSteps.Billing;

    protected override async Task Handle(MigrationFailed failed, UnitOfWork db, CancellationToken ct)
    {
        if (failed.Kind != "bundle") await MigrationCharges.UndoAsync(db, failed.MigrationId);
        if (failed.NewAccount)
        {
            await db.ExecuteAsync("DELETE FROM billing_accounts WHERE account_id = @TargetAccountId AND migration_id = @MigrationId", failed);
            await EventVersions.RecordRemovedAsync(db, BillingCopies.Account, [failed.TargetAccountId]);
        }
        if (!MigrationSteps.Faulted(failed.FailStep, Step, MigrationSteps.UndoSilent))
            await db.PublishAsync(new MigrationStepUndone(failed.MigrationId, Step, clock.GetUtcNow()));
    }
}
