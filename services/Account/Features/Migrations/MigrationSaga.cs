using System.Text.Json;
using Dapper;
using MassTransit;
using MasStack.Account.Features.Accounts;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.Platform.Workers;
using Npgsql;

namespace MasStack.Account.Features.Migrations;

public static class MigrationStore
{
    private const string Select =
        """
        SELECT id AS MigrationId, kind, subscription_id AS SubscriptionId, source_account_id AS SourceAccountId,
               target_account_id AS TargetAccountId, new_account AS NewAccount, to_bundle_code AS BundleCode, status, reason, steps::text AS Steps,
               created_at AS CreatedAt, ended_at AS EndedAt, undo::text AS Undo
        FROM migrations WHERE id = @migrationId
        """;

    public static async Task<MigrationView?> ViewAsync(NpgsqlConnection connection, long migrationId) =>
        Map(await connection.QuerySingleOrDefaultAsync<Row>(Select, new { migrationId }));

    public static async Task<MigrationView?> ViewAsync(UnitOfWork db, long migrationId) =>
        Map(await db.QuerySingleOrDefaultAsync<Row>(Select, new { migrationId }));

    /// <summary>Locks the migration for this transaction: step answers, the deadline and two instances take turns.</summary>
    public static async Task<MigrationView?> LockAsync(UnitOfWork db, long migrationId) =>
        Map(await db.QuerySingleOrDefaultAsync<Row>(Select + " FOR UPDATE", new { migrationId }));

    private static MigrationView? Map(Row? row) => row is null ? null : new MigrationView(
        row.MigrationId, row.Kind, row.SubscriptionId, row.SourceAccountId, row.TargetAccountId, row.NewAccount, row.BundleCode, row.Status, row.Reason,
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.Steps)!, row.CreatedAt, row.EndedAt,
        row.Undo is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(row.Undo));

    private sealed record Row(
        long MigrationId, string Kind, long? SubscriptionId, long SourceAccountId, long TargetAccountId, bool NewAccount, string? BundleCode, string Status,
        string? Reason, string Steps, DateTimeOffset CreatedAt, DateTimeOffset? EndedAt, string? Undo);
}

/// <summary>
/// Account's side of the saga: records each step's answer and ends the migration — completed once every step confirmed,
/// failed on the first failure or at the deadline. Completing releases the line and accounts and closes the source account
/// if it has no line left; failing removes the account it opened and asks every participant to undo its part, holding the
/// line and accounts until they have (<see cref="MigrationUndo"/>).
/// </summary>
public static class MigrationProgress
{
    /// <summary><c>Migrations:Timeout</c>: how long a migration waits for its steps, and a failed one for their undoing (default five minutes).</summary>
    public static TimeSpan Timeout(IConfiguration configuration) => configuration.GetValue("Migrations:Timeout", TimeSpan.FromMinutes(5));

    public static async Task RecordAsync(
        UnitOfWork db, long migrationId, string step, string state, string? reason, DateTimeOffset at, TimeSpan timeout)
    {
        if (await MigrationStore.LockAsync(db, migrationId) is not { } migration || !migration.Steps.ContainsKey(step)) return;
        var steps = new Dictionary<string, string>(migration.Steps) { [step] = state };
        await db.ExecuteAsync("UPDATE migrations SET steps = @steps::jsonb WHERE id = @migrationId",
            new { migrationId, steps = JsonSerializer.Serialize(steps) });
        if (migration.Status != MigrationKinds.Pending) return; // a late answer to an ended migration: shown, its undo already asked
        switch (MigrationKinds.Outcome(steps))
        {
            case MigrationKinds.Failed:
                await FailAsync(db, migration, $"The {step} step failed: {reason}", at, timeout);
                break;
            case MigrationKinds.Completed:
                await CompleteAsync(db, migration, at);
                if (migration.SubscriptionId is { } line) await AccountClosing.CloseIfNoLineLeftAsync(db, migration.SourceAccountId, at, except: line);
                else await ChangeBundleAsync(db, migration, at);
                await db.PublishAsync(new MigrationCompleted(
                    migrationId, migration.SubscriptionId ?? 0, await UserOfAsync(db, migration), migration.SourceAccountId, migration.TargetAccountId, at));
                break;
        }
    }

    /// <summary>
    /// Ends the migration failed and asks every participant to undo its part. The line and accounts stay held until every
    /// participant that may have acted (<see cref="MigrationKinds.UndoSteps"/>) has answered, or <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task FailAsync(UnitOfWork db, MigrationView migration, string reason, DateTimeOffset at, TimeSpan timeout)
    {
        var (userId, faults) = await db.QuerySingleOrDefaultAsync<(long, string?)>(
            "SELECT user_id, faults FROM migrations WHERE id = @MigrationId", new { migration.MigrationId });
        var undo = MigrationKinds.UndoSteps(migration.Kind, [.. migration.Steps.Keys]).ToDictionary(s => s, _ => MigrationKinds.Pending);
        await db.ExecuteAsync(
            """
            UPDATE migrations SET status = @Failed, reason = @reason, ended_at = @at, undo = @undo::jsonb, undo_pending = true,
                   undo_deadline = @undoDeadline
            WHERE id = @MigrationId
            """,
            new { migration.MigrationId, MigrationKinds.Failed, reason, at, undo = JsonSerializer.Serialize(undo), undoDeadline = at + timeout });
        if (migration.NewAccount)
            await db.ExecuteAsync("DELETE FROM accounts WHERE id = @TargetAccountId AND migration_id = @MigrationId", new { migration.TargetAccountId, migration.MigrationId });
        await db.PublishAsync(new MigrationFailed(
            migration.MigrationId, migration.SubscriptionId ?? 0, userId, migration.SourceAccountId, migration.TargetAccountId, migration.NewAccount, reason, at,
            migration.Kind, faults));
    }

    /// <summary>A completed bundle migration: the account takes the bundle and the terms accepted with it (their commitment restarts then).</summary>
    private static async Task ChangeBundleAsync(UnitOfWork db, MigrationView migration, DateTimeOffset at)
    {
        var from = await db.QuerySingleOrDefaultAsync<string>("SELECT bundle_code FROM accounts WHERE id = @SourceAccountId FOR UPDATE", migration);
        var changed = await db.QuerySingleOrDefaultAsync<(long Version, long UserId, string Terms)>(
            """
            UPDATE accounts a SET bundle_code = m.to_bundle_code, terms = m.terms, terms_accepted_at = m.created_at, version = a.version + 1, updated_at = @at
            FROM migrations m WHERE m.id = @MigrationId AND a.id = m.source_account_id
            RETURNING a.version, a.user_id, m.terms::text
            """, new { migration.MigrationId, at });
        await db.PublishAsync(new AccountBundleChanged(
            migration.SourceAccountId, changed.UserId, from!, migration.BundleCode!, AccountTerms.Parse(changed.Terms)!, at, changed.Version));
    }

    private static Task CompleteAsync(UnitOfWork db, MigrationView migration, DateTimeOffset at) =>
        db.ExecuteAsync(
            """
            UPDATE migrations SET status = @Completed, ended_at = @at WHERE id = @MigrationId;
            DELETE FROM migration_locks WHERE migration_id = @MigrationId;
            """, new { migration.MigrationId, MigrationKinds.Completed, at });

    private static Task<long> UserOfAsync(UnitOfWork db, MigrationView migration) =>
        db.QuerySingleOrDefaultAsync<long>("SELECT user_id FROM migrations WHERE id = @MigrationId", new { migration.MigrationId });
}

/// <summary>
/// The undoing of a failed migration: each participant's answer is recorded, and once none is awaited the line and accounts
/// are released, so that a new migration of them cannot meet a participant still undoing this one. At the undo's deadline
/// the wait gives up (<see cref="MigrationTimeouts"/>): the steps not heard from show <c>timed-out</c> and the locks go.
/// </summary>
public static class MigrationUndo
{
    public const string Undone = "undone", TimedOut = "timed-out";

    /// <summary>A participant's undo answer; one not awaited (a participant with no part in this kind of migration) changes nothing.</summary>
    public static async Task RecordAsync(UnitOfWork db, long migrationId, string step)
    {
        var undo = await LockAsync(db, migrationId);
        if (undo is null || undo.GetValueOrDefault(step) != MigrationKinds.Pending) return;
        undo[step] = Undone;
        await SaveAsync(db, migrationId, undo);
    }

    /// <summary>The undo's deadline passed: the steps still awaited are given up on, the locks released; returns those steps.</summary>
    public static async Task<IReadOnlyList<string>> GiveUpAsync(UnitOfWork db, long migrationId)
    {
        if (await LockAsync(db, migrationId) is not { } undo) return [];
        var waiting = undo.Where(s => s.Value == MigrationKinds.Pending).Select(s => s.Key).Order().ToList();
        foreach (var step in waiting) undo[step] = TimedOut;
        await SaveAsync(db, migrationId, undo);
        return waiting;
    }

    private static async Task<Dictionary<string, string>?> LockAsync(UnitOfWork db, long migrationId) =>
        await db.QuerySingleOrDefaultAsync<string?>("SELECT undo::text FROM migrations WHERE id = @migrationId FOR UPDATE", new { migrationId })
            is { } undo ? JsonSerializer.Deserialize<Dictionary<string, string>>(undo) : null;

    private static async Task SaveAsync(UnitOfWork db, long migrationId, Dictionary<string, string> undo)
    {
        var pending = undo.Values.Any(s => s == MigrationKinds.Pending);
        await db.ExecuteAsync("UPDATE migrations SET undo = @undo::jsonb, undo_pending = @pending WHERE id = @migrationId",
            new { migrationId, undo = JsonSerializer.Serialize(undo), pending });
        if (!pending) await db.ExecuteAsync("DELETE FROM migration_locks WHERE migration_id = @migrationId", new { migrationId });
    }
}

[ConsumerName("migration-step-completed")]
public sealed class MigrationStepCompletedConsumer(UnitOfWork db, IConfiguration configuration) : InboxConsumer<MigrationStepCompleted>(db)
{
    protected override Task Handle(MigrationStepCompleted done, UnitOfWork db, CancellationToken ct) =>
        MigrationProgress.RecordAsync(db, done.MigrationId, done.Step, MigrationKinds.Completed, null, done.At, MigrationProgress.Timeout(configuration));
}

[ConsumerName("migration-step-failed")]
public sealed class MigrationStepFailedConsumer(UnitOfWork db, IConfiguration configuration) : InboxConsumer<MigrationStepFailed>(db)
{
    protected override Task Handle(MigrationStepFailed failed, UnitOfWork db, CancellationToken ct) =>
        MigrationProgress.RecordAsync(db, failed.MigrationId, failed.Step, MigrationKinds.Failed, failed.Reason, failed.At, MigrationProgress.Timeout(configuration));
}

[ConsumerName("migration-step-undone")]
public sealed class MigrationStepUndoneConsumer(UnitOfWork db) : InboxConsumer<MigrationStepUndone>(db)
{
    protected override Task Handle(MigrationStepUndone undone, UnitOfWork db, CancellationToken ct) => MigrationUndo.RecordAsync(db, undone.MigrationId, undone.Step);
}

/// <summary>
/// Fails a migration still pending at its deadline (<c>Migrations:Timeout</c> after it started, default five minutes),
/// naming the steps that never answered; and gives up waiting for a failed one's undo the same time after it failed: its
/// line and accounts are released, the steps not heard from show <c>timed-out</c>, and a warning is logged. While this
/// instance's broker connection is down the deadlines move on: no answer can arrive then. Each in a transaction of its
/// own, <c>SKIP LOCKED</c>: one an answer is being recorded for waits.
/// </summary>
public sealed class MigrationTimeouts(
    NpgsqlDataSource dataSource, IServiceScopeFactory scopes, IBusControl bus, IConfiguration configuration, TimeProvider clock,
    ILogger<MigrationTimeouts> logger) : ClaimingWorker<long>(logger)
{
    private readonly TimeSpan _timeout = MigrationProgress.Timeout(configuration);

    protected override string Name => "migration timeouts";
    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(5);
    protected override int BatchSize => 50;

    protected override async Task<IReadOnlyList<long>> ClaimAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (bus.CheckHealth().Status != BusHealthStatus.Healthy)
        {
            await connection.ExecuteAsync(
                """
                UPDATE migrations SET deadline = greatest(deadline, now() + @_timeout) WHERE status = 'pending';
                UPDATE migrations SET undo_deadline = greatest(undo_deadline, now() + @_timeout) WHERE undo_pending;
                """, new { _timeout });
            return [];
        }
        return (await connection.QueryAsync<long>(
            """
            (SELECT id FROM migrations WHERE status = 'pending' AND deadline < now() ORDER BY deadline LIMIT @batchSize)
            UNION ALL
            (SELECT id FROM migrations WHERE undo_pending AND undo_deadline < now() ORDER BY undo_deadline LIMIT @batchSize)
            """, new { batchSize })).AsList();
    }

    protected override async Task HandleOneAsync(long migrationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var due = await db.QuerySingleOrDefaultAsync<string?>(
            """
            SELECT status FROM migrations
            WHERE id = @migrationId AND ((status = 'pending' AND deadline < now()) OR (undo_pending AND undo_deadline < now()))
            FOR UPDATE SKIP LOCKED
            """, new { migrationId });
        if (due is null || await MigrationStore.ViewAsync(db, migrationId) is not { } migration) return;
        if (due == MigrationKinds.Pending)
        {
            var waiting = string.Join(", ", migration.Steps.Where(s => s.Value == MigrationKinds.Pending).Select(s => s.Key).Order());
            await MigrationProgress.FailAsync(db, migration, $"Timed out waiting for: {waiting}.", clock.GetUtcNow(), _timeout);
        }
        else if (await MigrationUndo.GiveUpAsync(db, migrationId) is { Count: > 0 } silent)
            logger.LogWarning(
                "Migration {MigrationId} failed {Timeout} ago and {Steps} never confirmed undoing its part: its line and accounts are released regardless.",
                migrationId, _timeout, string.Join(", ", silent));
        await db.CommitAsync(ct);
    }
}
