using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;

namespace MasStack.Subscription.Features.WorkOrders;

/// <summary>
/// Sends pending work orders to the network. Due orders are claimed with <c>FOR UPDATE SKIP LOCKED</c> (instances
/// work side by side), sent through the network client's pipeline (attempt timeout, quick retries, circuit
/// breaker), and marked in the same transaction: completed or failed with the network's answer, or — when the
/// network did not answer — rescheduled with backoff until <see cref="WorkOrderRetry.MaxAttempts"/>. A crash after
/// the network applied an order resends it with the same idempotency key, and the network applies it once.
/// </summary>
public sealed class WorkOrderDispatcher(
    IServiceScopeFactory scopes, WorkOrderSignal signal, TimeProvider clock, ILogger<WorkOrderDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 5;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try { sent = await DispatchDueAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Work order dispatch pass failed; retrying");
            }
            if (sent >= BatchSize) continue;
            try { await signal.WaitAsync(PollInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var network = scope.ServiceProvider.GetRequiredService<NetworkClient>();
        var due = await db.QueryAsync<DueOrder>(
            """
            SELECT id, subscription_id AS SubscriptionId, type, parameters::text AS Parameters, attempts
            FROM work_orders WHERE status = 'pending' AND next_attempt_at <= now()
            ORDER BY next_attempt_at, id LIMIT @BatchSize FOR UPDATE SKIP LOCKED
            """, new { BatchSize });
        foreach (var order in due)
        {
            var attempts = order.Attempts + 1;
            try
            {
                var answer = await network.SendAsync(
                    new NetworkOrder(order.Id, order.SubscriptionId, order.Type, WorkOrderStore.ParametersOf(order.Parameters)), ct);
                await FinishAsync(db, order, attempts, answer.Applied ? WorkOrderStatus.Completed : WorkOrderStatus.Failed, answer.Reference, answer.Detail);
            }
            catch (DependencyUnavailableException e)
            {
                if (WorkOrderRetry.NextDelay(attempts) is { } delay)
                {
                    logger.LogInformation("Work order {WorkOrderId}: the network did not answer (attempt {Attempts}); next try in {Delay}", order.Id, attempts, delay);
                    await db.ExecuteAsync(
                        "UPDATE work_orders SET attempts = @attempts, next_attempt_at = @next, last_error = @error WHERE id = @Id",
                        new { order.Id, attempts, next = clock.GetUtcNow() + delay, error = e.InnerException?.Message ?? e.Message });
                }
                else
                {
                    await FinishAsync(db, order, attempts, WorkOrderStatus.Failed, null, $"The network did not answer after {attempts} attempts.");
                }
            }
        }
        await db.CommitAsync(ct);
        return due.Count;
    }

    private async Task FinishAsync(UnitOfWork db, DueOrder order, int attempts, WorkOrderStatus status, string? reference, string detail)
    {
        var now = clock.GetUtcNow();
        await db.ExecuteAsync(
            """
            UPDATE work_orders SET status = @Status, attempts = @attempts, network_reference = @reference, network_answer = @detail, finished_at = @now
            WHERE id = @Id
            """,
            new { order.Id, Status = EnumText.Of(status), attempts, reference, detail, now });
        await db.PublishAsync(new WorkOrderFinished(order.Id, order.SubscriptionId, order.Type, status, reference, detail, attempts, now));
    }

    private sealed record DueOrder(long Id, long SubscriptionId, string Type, string Parameters, int Attempts);
}
