using MasStack.Billing.Features.Invoicing;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Billing.Features.Migrations;

/// <summary>
/// What a migration changes in the charges: the line's moves, dated (the leaving account is charged the line up to the day
/// of the move, the target from the day after: <see cref="LineHoldings"/>), and a prepaid balance closed on the way to
/// postpaid, credited to the target. A failed migration's moves and credit are removed, and none recorded after that.
/// </summary>
public static class MigrationCharges
{
    /// <summary>Records a move of a line unless its migration failed already (the billing_migrations row orders the two).</summary>
    public static async Task RecordMoveAsync(UnitOfWork db, SubscriptionAccountChanged move)
    {
        if (!await LiveAsync(db, move.MigrationId)) return;
        await db.ExecuteAsync(
            """
            INSERT INTO line_account_moves (subscription_id, version, migration_id, from_account_id, to_account_id, moved_on, moved_at)
            SELECT @SubscriptionId, @Version, @MigrationId, @FromAccountId, @ToAccountId, @movedOn, @ChangedAt
            WHERE EXISTS (SELECT 1 FROM billing_lines WHERE subscription_id = @SubscriptionId)
            ON CONFLICT DO NOTHING
            """,
            new { move.SubscriptionId, move.Version, move.MigrationId, move.FromAccountId, move.ToAccountId, movedOn = BillingDates.Of(move.ChangedAt), move.ChangedAt });
    }

    public static async Task CreditAsync(UnitOfWork db, PrepaidBalanceClosed closed)
    {
        if (!await LiveAsync(db, closed.MigrationId)) return;
        await db.ExecuteAsync(
            """
            INSERT INTO account_credits (migration_id, account_id, subscription_id, credited_on, amount)
            VALUES (@MigrationId, @ToAccountId, @SubscriptionId, @creditedOn, @amount) ON CONFLICT DO NOTHING
            """,
            new { closed.MigrationId, closed.ToAccountId, closed.SubscriptionId, creditedOn = BillingDates.Of(closed.ClosedAt), amount = closed.Remaining.Amount });
    }

    /// <summary>The migration's charges go: its moves (the line is charged as if it never moved) and its credit; later ones are never recorded.</summary>
    public static async Task UndoAsync(UnitOfWork db, long migrationId)
    {
        await db.ExecuteAsync(
            """
            INSERT INTO billing_migrations (migration_id, state) VALUES (@migrationId, 'failed')
            ON CONFLICT (migration_id) DO UPDATE SET state = 'failed'
            """, new { migrationId });
        // New statements: what a transaction that held the row's lock meanwhile recorded is seen and removed.
        await db.ExecuteAsync(
            """
            DELETE FROM line_account_moves WHERE migration_id = @migrationId;
            DELETE FROM account_credits WHERE migration_id = @migrationId;
            """, new { migrationId });
    }

    /// <summary>Whether the migration has not failed; holds its row until the transaction ends, so an undo waits for what this records.</summary>
    private static async Task<bool> LiveAsync(UnitOfWork db, long migrationId)
    {
        await db.ExecuteAsync("INSERT INTO billing_migrations (migration_id, state) VALUES (@migrationId, 'live') ON CONFLICT DO NOTHING", new { migrationId });
        return await db.QuerySingleOrDefaultAsync<string>(
            "SELECT state FROM billing_migrations WHERE migration_id = @migrationId FOR UPDATE", new { migrationId }) == "live";
    }
}

/// <summary>A prepaid balance closed by a migration to postpaid: what was left is credited to the target account.</summary>
[ConsumerName("prepaid-balance-closed")]
public sealed class PrepaidBalanceClosedConsumer(UnitOfWork db) : InboxConsumer<PrepaidBalanceClosed>(db)
{
    protected override Task Handle(PrepaidBalanceClosed closed, UnitOfWork db, CancellationToken ct) => MigrationCharges.CreditAsync(db, closed);
}
