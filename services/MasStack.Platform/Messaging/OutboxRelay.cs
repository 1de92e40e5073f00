using System.Diagnostics;
using Dapper;
using MassTransit;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MasStack.Platform.Messaging;

/// <summary>
/// Moves committed outbox rows to RabbitMQ. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c> (any number
/// of instances can relay side by side), published as persistent messages with publisher confirms a window
/// at a time (all confirms of a window awaited together, not one round trip per message), and marked
/// published in the same transaction that claimed them. A row that fails is retried later with backoff; a
/// crash between publish and commit publishes the row again, which the subscribers' inbox absorbs.
/// </summary>
public sealed class OutboxRelay(
    NpgsqlDataSource dataSource, IBus bus, OutboxSignal signal, ILogger<OutboxRelay> logger) : BackgroundService
{
    public const int WindowSize = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = DateTimeOffset.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            var relayed = 0;
            try
            {
                relayed = await RelayWindowAsync(stoppingToken);
                if (DateTimeOffset.UtcNow >= nextSweep)
                {
                    await SweepAsync(stoppingToken);
                    nextSweep = DateTimeOffset.UtcNow + SweepInterval;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Outbox relay pass failed; retrying");
            }
            if (relayed < WindowSize)
            {
                try { await signal.WaitAsync(PollInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task<int> RelayWindowAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var window = (await connection.QueryAsync<OutboxMessage>(
            """
            SELECT id, message_id AS MessageId, message_type AS MessageType, body::text AS Body, headers::text AS Headers, attempts
            FROM outbox_messages
            WHERE published_at IS NULL AND next_attempt_at <= now()
            ORDER BY id
            LIMIT @WindowSize
            FOR UPDATE SKIP LOCKED
            """, new { WindowSize }, tx)).AsList();
        if (window.Count == 0) return 0;

        var outcomes = await Task.WhenAll(window.Select(message => PublishAsync(message, ct)));

        var published = window.Where((_, i) => outcomes[i] is null).Select(m => m.Id).ToArray();
        await connection.ExecuteAsync(
            "UPDATE outbox_messages SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY(@published)",
            new { published }, tx);
        for (var i = 0; i < window.Count; i++)
        {
            if (outcomes[i] is not { } error) continue;
            var message = window[i];
            await connection.ExecuteAsync(
                """
                UPDATE outbox_messages
                SET attempts = attempts + 1, next_attempt_at = now() + @Delay, last_error = @Error
                WHERE id = @Id
                """,
                new { message.Id, Delay = OutboxMessage.Backoff(message.Attempts, Random.Shared.NextDouble()), Error = error }, tx);
        }
        await tx.CommitAsync(ct);

        if (published.Length < window.Count)
            logger.LogWarning("Outbox relay published {Published} of {Claimed} events; the rest will be retried", published.Length, window.Count);
        return window.Count;
    }

    /// <summary>Publishes one row; returns null on a confirmed publish, else why it failed.</summary>
    private async Task<string?> PublishAsync(OutboxMessage message, CancellationToken ct)
    {
        try
        {
            var headers = message.DeserializeHeaders();
            ActivityContext.TryParse(headers.GetValueOrDefault("traceparent"), null, out var parent);
            using var activity = Telemetry.Source.StartActivity("outbox relay", ActivityKind.Producer, parent);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(PublishTimeout);

            await bus.Publish(message.Deserialize(), message.ResolveType(), Pipe.Execute<PublishContext>(context =>
            {
                context.MessageId = message.MessageId;
                context.Durable = true;
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
    private async Task SweepAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(
            """
            DELETE FROM outbox_messages WHERE published_at < now() - interval '7 days';
            DELETE FROM inbox_messages WHERE processed_at < now() - interval '7 days';
            DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours';
            """);
    }
}
