using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Workers;
using MasStack.Subscription.Features.Lines;
using MasStack.Subscription.Features.WorkOrders;
using Npgsql;

namespace MasStack.Subscription.Features.Termination;

/// <summary>Wakes the termination worker as soon as a termination for today is committed.</summary>
public sealed class TerminationSignal : WorkSignal;

/// <summary>
/// Carries out the terminations whose date has come. Each is claimed with a lease (<c>FOR UPDATE SKIP LOCKED</c>) and
/// committed; the account's terms are read from Account with no transaction open; then, in one transaction with the line
/// locked, the line becomes terminated, a deactivation work order is stored for the network, and
/// <see cref="SubscriptionTerminated"/> (with the fee) is published. Account not answering only delays it (tried again by
/// <see cref="Backoff"/>, the error shown on the subscription). A line that ended otherwise in the meantime (ported out,
/// moved) leaves its termination void. A crash before the commit leaves the termination scheduled: claimed again when
/// its lease ends, and done once.
/// </summary>
public sealed class TerminationWorker(
    NpgsqlDataSource dataSource, IServiceScopeFactory scopes, TerminationSignal signal, TimeProvider clock, ILogger<TerminationWorker> logger)
    : ClaimingWorker<TerminationWorker.Due>(logger, signal)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    protected override string Name => "termination";

    protected override async Task<IReadOnlyList<Due>> ClaimAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var today = TerminationRules.LocalDate(clock.GetUtcNow());
        return (await connection.QueryAsync<Due>(
            """
            UPDATE subscription_terminations t SET next_attempt_at = now() + @Lease
            FROM subscriptions s
            WHERE s.id = t.subscription_id AND t.subscription_id IN (
                SELECT subscription_id FROM subscription_terminations
                WHERE state = 'scheduled' AND requested_date <= @today AND next_attempt_at <= now()
                ORDER BY requested_date, subscription_id LIMIT @batchSize
                FOR UPDATE SKIP LOCKED)
            RETURNING t.subscription_id AS SubscriptionId, s.account_id AS AccountId, t.attempts
            """, new { Lease, today, batchSize })).AsList();
    }

    protected override async Task HandleOneAsync(Due due, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        AccountTerms terms;
        try
        {
            terms = await scope.ServiceProvider.GetRequiredService<AccountTermsClient>().GetAsync(due.AccountId, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var attempts = due.Attempts + 1;
            logger.LogInformation("Termination of line {SubscriptionId}: the account's terms could not be read ({Reason}); tried again later",
                due.SubscriptionId, e.Message);
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await connection.ExecuteAsync(
                """
                UPDATE subscription_terminations SET attempts = @attempts, next_attempt_at = @next, last_error = @error
                WHERE subscription_id = @SubscriptionId AND state = 'scheduled'
                """, new { due.SubscriptionId, attempts, next = clock.GetUtcNow() + Backoff.Jittered(attempts), error = $"The account's terms could not be read: {e.Message}" });
            return;
        }

        var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await TerminateAsync(db, scope.ServiceProvider.GetRequiredService<IdGenerator>(), scope.ServiceProvider.GetRequiredService<WorkOrderSignal>(),
            due.SubscriptionId, terms, clock.GetUtcNow());
        await db.CommitAsync(ct);
    }

    /// <summary>Ends the line as its scheduled termination says, in the caller's transaction; nothing when it is no longer scheduled.</summary>
    private static async Task TerminateAsync(UnitOfWork db, IdGenerator ids, WorkOrderSignal workOrders, long subscriptionId, AccountTerms terms, DateTimeOffset now)
    {
        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return;
        var termination = await db.QuerySingleOrDefaultAsync<Scheduled>(
            """
            SELECT motive_id AS MotiveId, requested_date AS RequestedDate FROM subscription_terminations
            WHERE subscription_id = @subscriptionId AND state = 'scheduled' FOR UPDATE
            """, new { subscriptionId });
        if (termination is null) return;
        if (TerminationRules.Refusal(line.Status) is { } refusal)
        {
            await db.ExecuteAsync("UPDATE subscription_terminations SET state = 'void', reason = @refusal WHERE subscription_id = @subscriptionId",
                new { subscriptionId, refusal });
            return;
        }

        var motive = TerminationMotives.Find(termination.MotiveId);
        await LineStore.ChangeStatusAsync(db, line, SubscriptionStatus.Terminated, motive?.Code ?? $"motive {termination.MotiveId}", now);
        var workOrderId = await WorkOrderStore.CreateAsync(db, ids.Next(), line, WorkOrderType.Deactivate,
            new JsonObject { ["reason"] = "terminated" }, now, workOrders);
        var version = await db.QuerySingleOrDefaultAsync<long>(
            "UPDATE subscriptions SET ended_at = @now, version = version + 1 WHERE id = @subscriptionId RETURNING version", new { subscriptionId, now });
        var activatedAt = await db.QuerySingleOrDefaultAsync<DateTimeOffset?>("SELECT activated_at FROM subscriptions WHERE id = @subscriptionId", new { subscriptionId });
        var fee = TerminationRules.FeeCharged(terms.InCommitment, terms.EarlyTerminationFee);
        await db.PublishAsync(new SubscriptionTerminated(
            line.Id, line.AccountId, line.UserId, line.Type, line.Number, line.Iccid, line.ProductCode, termination.MotiveId,
            termination.RequestedDate, activatedAt, now, terms.InCommitment, terms.EndDate, fee, version));
        await db.ExecuteAsync(
            """
            UPDATE subscription_terminations SET state = 'completed', completed_at = @now, in_commitment = @InCommitment, fee_amount = @Amount,
                   fee_currency = @Currency, work_order_id = @workOrderId, last_error = NULL
            WHERE subscription_id = @subscriptionId
            """, new { subscriptionId, now, terms.InCommitment, fee.Amount, fee.Currency, workOrderId });
    }

    public sealed record Due(long SubscriptionId, long AccountId, int Attempts);

    private sealed record Scheduled(int MotiveId, DateOnly RequestedDate);
}
