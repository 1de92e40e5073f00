using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Workers;
using MasStack.ServiceDefaults;
using MasStack.Subscription.Features.Installation;
using Npgsql;

namespace MasStack.Subscription.Features.WorkOrders;

/// <summary>
/// Sends pending work orders to the network. Due orders are claimed in one statement (<c>FOR UPDATE SKIP LOCKED</c>)
/// that leases them past the network client's whole pipeline (attempt timeout, quick retries, circuit breaker) and
/// commits; each is then sent, and its outcome recorded in a transaction of its own: completed or failed with the
/// network's answer, or — when the network did not answer or answered what cannot be read — the attempt counted on
/// that order alone and the order rescheduled by <see cref="Backoff"/>, failed with the reason once it has had
/// <c>WorkOrders:MaxAttempts</c> (default 12). A crash after the network applied an order resends it with the same
/// idempotency key when the lease ends, and the network applies it once. An installation the field service could not
/// carry out (a refused visit) is a failed attempt too, visited again until <c>WorkOrders:InstallationAttempts</c>
/// (default 3); its final outcome moves the line on in the same transaction (<see cref="Installations"/>).
/// </summary>
public sealed class WorkOrderDispatcher(
    NpgsqlDataSource dataSource, IServiceScopeFactory scopes, WorkOrderSignal signal, IConfiguration configuration,
    TimeProvider clock, ILogger<WorkOrderDispatcher> logger) : ClaimingWorker<WorkOrderDispatcher.DueOrder>(logger, signal)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly int _maxAttempts = configuration.GetValue("WorkOrders:MaxAttempts", 12);
    private readonly int _installationAttempts = configuration.GetValue("WorkOrders:InstallationAttempts", 3);
    private static readonly string Install = EnumText.Of(WorkOrderType.Install);

    private int MaxAttemptsOf(string type) => type == Install ? _installationAttempts : _maxAttempts;

    protected override string Name => "work order dispatch";

    /// <summary>Each order is sent in the trace that ordered it (<see cref="Telemetry.StartContinuing"/>), not under a pass of its own.</summary>
    protected override bool TracesPasses => false;

    protected override int BatchSize => 5;

    protected override async Task<IReadOnlyList<DueOrder>> ClaimAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var due = await connection.QueryAsync<DueOrder>(
            """
            UPDATE work_orders SET next_attempt_at = now() + @Lease
            WHERE id IN (
                SELECT id FROM work_orders WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at, id LIMIT @batchSize
                FOR UPDATE SKIP LOCKED)
            RETURNING id, subscription_id AS SubscriptionId, type, parameters::text AS Parameters, attempts, traceparent
            """, new { Lease, batchSize });
        return due.OrderBy(o => o.Id).ToList();
    }

    protected override async Task HandleOneAsync(DueOrder order, CancellationToken ct)
    {
        using var activity = Telemetry.StartContinuing("work order", order.Traceparent);
        activity?.SetTag("masstack.work_order.id", order.Id);
        activity?.SetTag("masstack.work_order.type", order.Type);
        var attempts = order.Attempts + 1;
        NetworkAnswer answer;
        await using var scope = scopes.CreateAsyncScope();
        var network = scope.ServiceProvider.GetRequiredService<NetworkClient>();
        try
        {
            answer = await network.SendAsync(new NetworkOrder(order.Id, order.SubscriptionId, order.Type, WorkOrderStore.ParametersOf(order.Parameters)), ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var reason = e is DependencyUnavailableException ? $"The network did not answer: {e.InnerException?.Message ?? e.Message}" : e.Message;
            await RecordFailedAttemptAsync(order, attempts, reason, ct);
            return;
        }
        if (!answer.Applied && order.Type == Install)
        {
            await RecordFailedAttemptAsync(order, attempts, answer.Reason, ct);
            return;
        }
        await FinishAsync(order, attempts, answer.Applied ? WorkOrderStatus.Completed : WorkOrderStatus.Failed, answer.Reference, answer.Detail, null, ct);
    }

    private async Task RecordFailedAttemptAsync(DueOrder order, int attempts, string reason, CancellationToken ct)
    {
        if (attempts >= MaxAttemptsOf(order.Type))
        {
            await FinishAsync(order, attempts, WorkOrderStatus.Failed, null, $"Given up after {attempts} attempts. {reason}", reason, ct);
            return;
        }
        var delay = Backoff.Jittered(attempts);
        logger.LogInformation("Work order {WorkOrderId}: attempt {Attempts} failed ({Reason}); next try in {Delay}", order.Id, attempts, reason, delay);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(
            "UPDATE work_orders SET attempts = @attempts, next_attempt_at = @next, last_error = @reason WHERE id = @Id AND status = 'pending'",
            new { order.Id, attempts, next = clock.GetUtcNow() + delay, reason });
    }

    private async Task FinishAsync(DueOrder order, int attempts, WorkOrderStatus status, string? reference, string detail, string? error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var now = clock.GetUtcNow();
        var finished = await db.ExecuteAsync(
            """
            UPDATE work_orders SET status = @Status, attempts = @attempts, network_reference = @reference, network_answer = @detail,
                   last_error = coalesce(@error, last_error), finished_at = @now
            WHERE id = @Id AND status = 'pending'
            """,
            new { order.Id, Status = EnumText.Of(status), attempts, reference, detail, error, now });
        // Another instance finished it after this one's lease ran out: the network applied it once, and it is announced once.
        if (finished == 0) return;
        await db.PublishAsync(new WorkOrderFinished(order.Id, order.SubscriptionId, order.Type, status, reference, detail, attempts, now));
        if (order.Type == Install) await Installations.FinishedAsync(db, order.SubscriptionId, order.Id, status, error ?? detail, now);
        await db.CommitAsync(ct);
    }

    public sealed record DueOrder(long Id, long SubscriptionId, string Type, string Parameters, int Attempts, string? Traceparent);
}
