using MasStack.Consumption.Features.Lines;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Consumption.Features.Balances;

/// <summary>
/// Consumption's step of a migration that changes the line's payment type. Prepaid to postpaid: the balance is closed and
/// what was left on it announced (<see cref="PrepaidBalanceClosed"/>) for Billing to credit on the target's first invoice.
/// Postpaid to prepaid: a balance is opened at zero (a migration is no sale: the tariff's initial credit is a sale's
/// welcome, and the line's usage was already invoiced as postpaid). A line that keeps its payment type keeps its balance:
/// only its account follows the move (<see cref="SubscriptionAccountChangedConsumer"/>).
/// </summary>
[ConsumerName("migration-started")]
public sealed class MigrationStartedConsumer(UnitOfWork db, TimeProvider clock) : InboxConsumer<MigrationStarted>(db)
{
    private const string Step = MigrationSteps.Consumption;

    private sealed record HeldLine(string? PaymentType, decimal? Balance, long BalanceVersion);

    protected override async Task Handle(MigrationStarted migration, UnitOfWork db, CancellationToken ct)
    {
        if (!migration.Steps.Contains(Step) || MigrationSteps.Faulted(migration.FailStep, Step, MigrationSteps.Silent)) return;
        var first = await db.ExecuteAsync(
            """
            INSERT INTO balance_migrations (migration_id, subscription_id, state) VALUES (@MigrationId, @SubscriptionId, 'done')
            ON CONFLICT (migration_id) DO NOTHING
            """, migration);
        if (first == 0) return; // undone before it could run

        var now = clock.GetUtcNow();
        var line = await db.QuerySingleOrDefaultAsync<HeldLine>(
            "SELECT payment_type AS PaymentType, balance, balance_version AS BalanceVersion FROM consumption_lines WHERE subscription_id = @SubscriptionId FOR UPDATE",
            migration);
        var to = EnumText.Of(migration.TargetPaymentType);
        var refusal = MigrationSteps.Faulted(migration.FailStep, Step) ? "Injected fault (Faults:Migrations)."
            : line is null ? "No such line."
            : (line.PaymentType ?? EnumText.Of(PaymentType.Postpaid)) == to ? $"The line is {to} already."
            : null;
        if (refusal is not null)
        {
            await db.ExecuteAsync("UPDATE balance_migrations SET state = 'refused', updated_at = now() WHERE migration_id = @MigrationId", migration);
            await db.PublishAsync(new MigrationStepFailed(migration.MigrationId, Step, refusal, now));
            return;
        }

        var version = line!.BalanceVersion + 1;
        if (migration.TargetPaymentType == PaymentType.Postpaid)
        {
            var left = line.Balance ?? 0m;
            await BalanceMigrations.SetAsync(db, migration.SubscriptionId, PaymentType.Postpaid, null);
            await db.ExecuteAsync(
                "UPDATE balance_migrations SET change = 'closed', amount = @left WHERE migration_id = @MigrationId", new { migration.MigrationId, left });
            await db.PublishAsync(new PrepaidBalanceClosed(
                migration.SubscriptionId, migration.MigrationId, migration.SourceAccountId, migration.TargetAccountId, new Money(left), now, version));
        }
        else
        {
            await BalanceMigrations.SetAsync(db, migration.SubscriptionId, PaymentType.Prepaid, 0m);
            await db.ExecuteAsync("UPDATE balance_migrations SET change = 'opened', amount = 0 WHERE migration_id = @MigrationId", migration);
            await db.PublishAsync(new PrepaidBalanceOpened(migration.SubscriptionId, migration.TargetAccountId, null, new Money(0m), now, version));
        }
        await db.PublishAsync(new MigrationStepCompleted(migration.MigrationId, Step, now));
    }
}

/// <summary>
/// Undoes the step: a closed balance is reopened with exactly what was left on it, an opened one goes (the line is postpaid
/// again); a step that has not run yet never will. Then tells Account the step is undone (also where it had none).
/// </summary>
[ConsumerName("migration-failed")]
public sealed class MigrationFailedConsumer(UnitOfWork db, TimeProvider clock) : InboxConsumer<MigrationFailed>(db)
{
    private const string Step = MigrationSteps.Consumption;

    protected override async Task Handle(MigrationFailed failed, UnitOfWork db, CancellationToken ct)
    {
        if (failed.Kind != "bundle") await UndoAsync(db, failed);
        if (!MigrationSteps.Faulted(failed.FailStep, Step, MigrationSteps.UndoSilent))
            await db.PublishAsync(new MigrationStepUndone(failed.MigrationId, Step, clock.GetUtcNow()));
    }

    private async Task UndoAsync(UnitOfWork db, MigrationFailed failed)
    {
        var undoneFirst = await db.ExecuteAsync(
            """
            INSERT INTO balance_migrations (migration_id, subscription_id, state) VALUES (@MigrationId, @SubscriptionId, 'undone')
            ON CONFLICT (migration_id) DO NOTHING
            """, failed);
        if (undoneFirst == 1) return; // the step has not run (or never will for this kind): the row now stops it
        // A new statement, so a step committed while the insert waited on it is seen.
        var step = await db.QuerySingleOrDefaultAsync<(string State, string? Change, decimal? Amount)>(
            "SELECT state, change, amount FROM balance_migrations WHERE migration_id = @MigrationId FOR UPDATE", failed);
        if (step.State != "done") return; // refused, or undone already
        var version = await db.QuerySingleOrDefaultAsync<long?>(
            "SELECT balance_version FROM consumption_lines WHERE subscription_id = @SubscriptionId FOR UPDATE", failed);
        if (version is not null)
        {
            if (step.Change == "closed")
            {
                await BalanceMigrations.SetAsync(db, failed.SubscriptionId, PaymentType.Prepaid, step.Amount ?? 0m);
                await db.PublishAsync(new PrepaidBalanceOpened(failed.SubscriptionId, failed.SourceAccountId, null, new Money(step.Amount ?? 0m),
                    clock.GetUtcNow(), version.Value + 1));
            }
            else if (step.Change == "opened") await BalanceMigrations.SetAsync(db, failed.SubscriptionId, PaymentType.Postpaid, null);
        }
        await db.ExecuteAsync("UPDATE balance_migrations SET state = 'undone', updated_at = now() WHERE migration_id = @MigrationId", failed);
    }
}

/// <summary>
/// The balance a migration opened is the line's for good once the migration completed: until then a failure would take it
/// away again, so recharges wait (<see cref="BalanceMigrations.OpenedPendingAsync"/>). Rows: done → completed.
/// </summary>
[ConsumerName("migration-completed")]
public sealed class MigrationCompletedConsumer(UnitOfWork db) : InboxConsumer<MigrationCompleted>(db)
{
    protected override Task Handle(MigrationCompleted completed, UnitOfWork db, CancellationToken ct) =>
        db.ExecuteAsync("UPDATE balance_migrations SET state = 'completed', updated_at = now() WHERE migration_id = @MigrationId AND state = 'done'", completed);
}

public static class BalanceMigrations
{
    /// <summary>
    /// Whether the line's balance was opened by a migration to prepaid that has not completed: money recharged onto it
    /// would go with it should the migration fail and be undone. Read under the line's lock, which the undo takes too.
    /// </summary>
    public static Task<bool> OpenedPendingAsync(UnitOfWork db, long subscriptionId) =>
        db.QuerySingleOrDefaultAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM balance_migrations WHERE subscription_id = @subscriptionId AND change = 'opened' AND state = 'done')",
            new { subscriptionId });

    /// <summary>The line's payment type and balance (none when postpaid), one change more of its balance.</summary>
    public static Task SetAsync(UnitOfWork db, long subscriptionId, PaymentType paymentType, decimal? balance) =>
        db.ExecuteAsync(
            """
            UPDATE consumption_lines SET payment_type = @paymentType, balance = @balance, balance_version = balance_version + 1
            WHERE subscription_id = @subscriptionId
            """, new { subscriptionId, paymentType = EnumText.Of(paymentType), balance });
}
