using System.Diagnostics;
using Dapper;
using MassTransit;
using MassTransit.Logging;
using MasStack.Platform.Workers;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MasStack.Platform.Messaging;

/// <summary>
/// Moves committed outbox rows to RabbitMQ. The rows this instance's transactions commit are handed to it in memory,
/// written already leased to it (<see cref="OutboxSignal"/>). Any other due rows — retries, rows whose lease ran out —
/// are claimed at each poll, a window in one statement (<c>FOR UPDATE SKIP LOCKED</c>, any number of instances side by
/// side) that leases them by moving their <c>next_attempt_at</c> past the publish timeout, and commits at once: no
/// transaction or row lock is held while the broker is called. The window is
/// published as persistent messages with publisher confirms (all confirms awaited together), then each row is marked
/// published, or rescheduled by <see cref="Backoff"/>. A crash before that record leaves the lease to expire and the
/// rows to be published again, which the subscribers' inbox absorbs.
/// </summary>
public sealed class OutboxRelay(NpgsqlDataSource dataSource, IBus bus, OutboxSignal signal, ILogger<OutboxRelay> logger)
    : ClaimingWorker<OutboxMessage>(logger, signal)
{
    public const int WindowSize = 100;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long claimed rows — and rows just committed, which this instance publishes — are left to their relay.</summary>
    public static readonly TimeSpan Lease = PublishTimeout * 3;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(10);
    private DateTimeOffset _nextSweep = DateTimeOffset.UtcNow;
    private DateTimeOffset _nextPoll = DateTimeOffset.UtcNow;

    /// <summary>
    /// Published rows not yet marked so in the table. Marks are written together, in one statement (its own transaction
    /// and WAL flush), once a window's worth waits, a second after the first of them, or when the relay falls idle: under
    /// load, one statement where each window took its own. Until marked, a row keeps its lease, far longer than that.
    /// </summary>
    private readonly List<long> _published = [];
    private DateTimeOffset _marksDue = DateTimeOffset.MaxValue;
    private static readonly TimeSpan MarkDelay = TimeSpan.FromSeconds(1);

    protected override string Name => "outbox relay";

    /// <summary>Each event's send span already hangs in the trace that committed it; a span per window would only be an empty trace more.</summary>
    protected override bool TracesPasses => false;

    /// <summary>
    /// A commit wakes its own instance's relay at once (<see cref="OutboxSignal"/>); the poll is only for rows no commit
    /// woke anyone for: a retry that fell due, a lease that a crashed instance left to expire. Every second, on every
    /// instance of every service, it was a standing share of the idle suite's CPU.
    /// </summary>
    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(5);

    protected override int BatchSize => WindowSize;

    /// <summary>
    /// The rows this instance's transactions committed, as they were handed over; and, once per poll interval, a window
    /// claimed from the table (retries fallen due, leases run out).
    /// </summary>
    protected override async Task<IReadOnlyList<OutboxMessage>> ClaimAsync(int batchSize, CancellationToken ct)
    {
        var committed = signal.TakeCommitted(batchSize);
        if (committed.Count == 0 || DateTimeOffset.UtcNow >= _marksDue) await MarkPublishedAsync(ct);
        if (DateTimeOffset.UtcNow < _nextPoll) return committed;
        _nextPoll = DateTimeOffset.UtcNow + PollInterval;
        return [.. committed, .. await ClaimDueAsync(batchSize - committed.Count, ct)];
    }

    private async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(int batchSize, CancellationToken ct)
    {
        if (batchSize == 0) return [];
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (DateTimeOffset.UtcNow >= _nextSweep)
        {
            await SweepAsync(connection);
            _nextSweep = DateTimeOffset.UtcNow + SweepInterval;
        }
        var window = await connection.QueryAsync<OutboxMessage>(
            """
            UPDATE outbox_messages SET next_attempt_at = now() + @Lease
            WHERE id IN (
                SELECT id FROM outbox_messages
                WHERE published_at IS NULL AND next_attempt_at <= now()
                ORDER BY id LIMIT @batchSize
                FOR UPDATE SKIP LOCKED)
            RETURNING id, message_id AS MessageId, message_type AS MessageType, body::text AS Body, headers::text AS Headers, attempts
            """, new { Lease, batchSize });
        return window.OrderBy(m => m.Id).ToList();
    }

    protected override async Task HandleAsync(IReadOnlyList<OutboxMessage> window, CancellationToken ct)
    {
        var outcomes = await Task.WhenAll(window.Select(message => PublishAsync(message, ct)));

        var published = window.Where((_, i) => outcomes[i] is null).Select(m => m.Id).ToList();
        if (_published.Count == 0 && published.Count > 0) _marksDue = DateTimeOffset.UtcNow + MarkDelay;
        _published.AddRange(published);
        if (_published.Count >= WindowSize) await MarkPublishedAsync(ct);
        if (published.Count == window.Count) return;

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        for (var i = 0; i < window.Count; i++)
        {
            if (outcomes[i] is not { } error) continue;
            var message = window[i];
            await connection.ExecuteAsync(
                """
                UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = now() + @Delay, last_error = @Error
                WHERE id = @Id AND published_at IS NULL
                """,
                new { message.Id, Delay = Backoff.Jittered(message.Attempts + 1), Error = error });
        }
        logger.LogWarning("Outbox relay published {Published} of {Claimed} events; the rest will be retried", published.Count, window.Count);
    }

    private async Task MarkPublishedAsync(CancellationToken ct)
    {
        if (_published.Count == 0) return;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
            await connection.ExecuteAsync(
                "UPDATE outbox_messages SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY(@published)",
                new { published = _published.ToArray() });
        _published.Clear();
        _marksDue = DateTimeOffset.MaxValue;
    }

    /// <summary>The marks still waiting are written before the process ends (should that fail, the leases run out instead).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await MarkPublishedAsync(cancellationToken);
    }

    /// <summary>
    /// Publishes one row; returns null on a confirmed publish, else why it failed. MassTransit's send span is the event's
    /// one span on the way out, and it hangs under the span that committed the event (a request, a consumed message): with
    /// no current activity, MassTransit takes its parent from the <c>MT-Activity-Id</c> header, set here to the one the
    /// row recorded. A sale stays one trace, and the relay adds no span of its own.
    /// </summary>
    private async Task<string?> PublishAsync(OutboxMessage message, CancellationToken ct)
    {
        try
        {
            var headers = message.DeserializeHeaders();
            Activity.Current = null; // this call's flow only
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(PublishTimeout);

            await bus.Publish(message.Deserialize(), message.ResolveType(), Pipe.Execute<PublishContext>(context =>
            {
                context.MessageId = message.MessageId;
                context.Durable = true;
                if (headers.TryGetValue("traceparent", out var parent)) context.Headers.Set(DiagnosticHeaders.ActivityId, parent);
                if (headers.TryGetValue(Correlation.Header, out var correlator)) context.Headers.Set(Correlation.Header, correlator);
            }), timeout.Token);
            return null;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }

    /// <summary>Published events, processed message ids and idempotency records are kept for a while, then dropped.</summary>
    private static Task SweepAsync(NpgsqlConnection connection) =>
        connection.ExecuteAsync(
            """
            DELETE FROM outbox_messages WHERE published_at < now() - interval '7 days';
            DELETE FROM inbox_messages WHERE processed_at < now() - interval '7 days';
            DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours';
            """);
}
