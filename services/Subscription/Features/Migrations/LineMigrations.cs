using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.Subscription.Features.Lines;

namespace MasStack.Subscription.Features.Migrations;

/// <summary>
/// Subscription's step of a migration: the line keeps its subscriptionId and takes the target's accountId, announced as
/// <see cref="SubscriptionAccountChanged"/> for every copy of it, and the product Account mapped it to when the target bundle
/// does not offer its own (a change of payment type), announced as <see cref="SubscriptionProductChanged"/>; then confirmed to Account. Refused, with why, when the line is no longer where and as Account saw it (live: active, or
/// barred — Account has refused a line barred for debt or fraud).
/// </summary>
[ConsumerName("migration-started")]
public sealed class MigrationStartedConsumer(UnitOfWork db, TimeProvider clock) : InboxConsumer<MigrationStarted>(db)
{
    private const string Step = MigrationSteps.Subscription;

    protected override async Task Handle(MigrationStarted migration, UnitOfWork db, CancellationToken ct)
    {
        if (!migration.Steps.Contains(Step) || MigrationSteps.Faulted(migration.FailStep, Step, MigrationSteps.Silent)) return;
        var first = await db.ExecuteAsync(
            """
            INSERT INTO line_migrations (migration_id, subscription_id, from_account_id, to_account_id, state)
            VALUES (@MigrationId, @SubscriptionId, @SourceAccountId, @TargetAccountId, 'moved') ON CONFLICT (migration_id) DO NOTHING
            """, migration);
        if (first == 0) return; // undone before it could run

        var now = clock.GetUtcNow();
        var line = await LineStore.LoadForUpdateAsync(db, migration.SubscriptionId);
        var refusal = MigrationSteps.Faulted(migration.FailStep, Step) ? "Injected fault (Faults:Migrations)."
            : line is null ? "No such line."
            : line.AccountId != migration.SourceAccountId ? $"The line is in account {line.AccountId}, not {migration.SourceAccountId}."
            : line.Status is not (SubscriptionStatus.Active or SubscriptionStatus.Barred) ? $"The line is {EnumText.Of(line.Status)}."
            : null;
        if (refusal is not null)
        {
            await db.ExecuteAsync("UPDATE line_migrations SET state = 'refused', updated_at = now() WHERE migration_id = @MigrationId", migration);
            await db.PublishAsync(new MigrationStepFailed(migration.MigrationId, Step, refusal, now));
            return;
        }
        await LineMigrations.MoveAsync(db, line!, migration.MigrationId, migration.TargetAccountId, now);
        if (migration.TargetProductCode is { } product && product != line!.ProductCode)
        {
            await db.ExecuteAsync(
                "UPDATE line_migrations SET from_product_code = @from, to_product_code = @product WHERE migration_id = @MigrationId",
                new { migration.MigrationId, from = line.ProductCode, product });
            await LineStore.ChangeProductAsync(db, (await LineStore.LoadForUpdateAsync(db, line.Id))!, product, now);
        }
        await db.PublishAsync(new MigrationStepCompleted(migration.MigrationId, Step, now));
    }
}

/// <summary>
/// Undoes the step: a line moved by the migration goes back, with the product it had (unless changed again since); a step
/// that has not run yet never will. Then tells Account the step is undone.
/// </summary>
[ConsumerName("migration-failed")]
public sealed class MigrationFailedConsumer(UnitOfWork db, TimeProvider clock) : InboxConsumer<MigrationFailed>(db)
{
    private const string Step = MigrationSteps.Subscription;

    protected override async Task Handle(MigrationFailed failed, UnitOfWork db, CancellationToken ct)
    {
        if (failed.Kind == "bundle") await BundleMigrations.UndoAsync(db, failed, clock.GetUtcNow());
        else await UndoAsync(db, failed);
        if (!MigrationSteps.Faulted(failed.FailStep, Step, MigrationSteps.UndoSilent))
            await db.PublishAsync(new MigrationStepUndone(failed.MigrationId, Step, clock.GetUtcNow()));
    }

    private async Task UndoAsync(UnitOfWork db, MigrationFailed failed)
    {
        var undoneFirst = await db.ExecuteAsync(
            """
            INSERT INTO line_migrations (migration_id, subscription_id, from_account_id, to_account_id, state)
            VALUES (@MigrationId, @SubscriptionId, @SourceAccountId, @TargetAccountId, 'undone') ON CONFLICT (migration_id) DO NOTHING
            """, failed);
        if (undoneFirst == 1) return; // the step has not run: the row now stops it
        // A new statement, so a step committed while the insert waited on it is seen.
        var step = await db.QuerySingleOrDefaultAsync<(string State, string? FromProduct, string? ToProduct)>(
            "SELECT state, from_product_code, to_product_code FROM line_migrations WHERE migration_id = @MigrationId FOR UPDATE", failed);
        if (step.State != "moved") return; // refused, or undone already
        var now = clock.GetUtcNow();
        var line = await LineStore.LoadForUpdateAsync(db, failed.SubscriptionId);
        if (line is not null && line.AccountId == failed.TargetAccountId)
        {
            await LineMigrations.MoveAsync(db, line, failed.MigrationId, failed.SourceAccountId, now);
            if (step is { FromProduct: { } from, ToProduct: { } to } && line.ProductCode == to)
                await LineStore.ChangeProductAsync(db, (await LineStore.LoadForUpdateAsync(db, line.Id))!, from, now);
        }
        await db.ExecuteAsync("UPDATE line_migrations SET state = 'undone', updated_at = now() WHERE migration_id = @MigrationId", failed);
    }
}

/// <summary>
/// Subscription's step of a bundle migration: every line of the account takes its mapped product (each change announced as
/// <see cref="SubscriptionProductChanged"/>: Billing prorates it, the tree and Consumption follow), all or none.
/// </summary>
[ConsumerName("bundle-migration-started")]
public sealed class BundleMigrationStartedConsumer(UnitOfWork db, TimeProvider clock) : InboxConsumer<BundleMigrationStarted>(db)
{
    private const string Step = MigrationSteps.Subscription;

    protected override async Task Handle(BundleMigrationStarted migration, UnitOfWork db, CancellationToken ct)
    {
        if (!migration.Steps.Contains(Step) || MigrationSteps.Faulted(migration.FailStep, Step, MigrationSteps.Silent)) return;
        var first = await db.ExecuteAsync(
            """
            INSERT INTO bundle_migrations (migration_id, account_id, lines, state) VALUES (@MigrationId, @AccountId, @lines::jsonb, 'changed')
            ON CONFLICT (migration_id) DO NOTHING
            """, new { migration.MigrationId, migration.AccountId, lines = System.Text.Json.JsonSerializer.Serialize(migration.Lines) });
        if (first == 0) return; // undone before it could run

        var now = clock.GetUtcNow();
        var lines = new List<(Line Line, LineProductMove Move)>();
        string? refusal = MigrationSteps.Faulted(migration.FailStep, Step) ? "Injected fault (Faults:Migrations)." : null;
        foreach (var move in migration.Lines.OrderBy(m => m.SubscriptionId))
        {
            var line = await LineStore.LoadForUpdateAsync(db, move.SubscriptionId);
            refusal ??= line is null || line.AccountId != migration.AccountId ? $"Line {move.SubscriptionId} is not in account {migration.AccountId}."
                : line.ProductCode != move.FromProductCode ? $"Line {move.SubscriptionId} changed product to {line.ProductCode} meanwhile."
                : null;
            if (line is not null) lines.Add((line, move));
        }
        if (refusal is not null)
        {
            await db.ExecuteAsync("UPDATE bundle_migrations SET state = 'refused', updated_at = now() WHERE migration_id = @MigrationId", migration);
            await db.PublishAsync(new MigrationStepFailed(migration.MigrationId, Step, refusal, now));
            return;
        }
        foreach (var (line, move) in lines) await LineStore.ChangeProductAsync(db, line, move.ToProductCode, now);
        await db.PublishAsync(new MigrationStepCompleted(migration.MigrationId, Step, now));
    }
}

public static class BundleMigrations
{
    /// <summary>A changed product goes back (where nothing changed it since); a step that has not run yet never will.</summary>
    public static async Task UndoAsync(UnitOfWork db, MigrationFailed failed, DateTimeOffset at)
    {
        var undoneFirst = await db.ExecuteAsync(
            "INSERT INTO bundle_migrations (migration_id, account_id, lines, state) VALUES (@MigrationId, @SourceAccountId, '[]', 'undone') ON CONFLICT (migration_id) DO NOTHING",
            failed);
        if (undoneFirst == 1) return;
        var held = await db.QuerySingleOrDefaultAsync<(string State, string Lines)>(
            "SELECT state, lines::text FROM bundle_migrations WHERE migration_id = @MigrationId FOR UPDATE", failed);
        if (held.State != "changed") return;
        foreach (var move in System.Text.Json.JsonSerializer.Deserialize<List<LineProductMove>>(held.Lines)!.OrderBy(m => m.SubscriptionId))
            if (await LineStore.LoadForUpdateAsync(db, move.SubscriptionId) is { } line && line.ProductCode == move.ToProductCode)
                await LineStore.ChangeProductAsync(db, line, move.FromProductCode, at);
        await db.ExecuteAsync("UPDATE bundle_migrations SET state = 'undone', updated_at = now() WHERE migration_id = @MigrationId", failed);
    }
}

public static class LineMigrations
{
    public static async Task MoveAsync(UnitOfWork db, Line line, long migrationId, long toAccountId, DateTimeOffset at)
    {
        var version = await db.QuerySingleOrDefaultAsync<long>(
            "UPDATE subscriptions SET account_id = @toAccountId, version = version + 1, updated_at = @at WHERE id = @Id RETURNING version",
            new { toAccountId, at, line.Id });
        await db.PublishAsync(new SubscriptionAccountChanged(line.Id, line.UserId, line.AccountId, toAccountId, migrationId, at, version));
    }
}
