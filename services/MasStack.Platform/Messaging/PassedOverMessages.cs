using Dapper;
using MasStack.Platform.Workers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MasStack.Platform.Messaging;

/// <summary>
/// The inbox rows of the messages a consumer passed over (<see cref="InboxConsumer{T}.Concerns"/>: a status change to
/// a status it does not act on, say), written together, a second's worth in one statement, instead of a transaction
/// each (no span: the services' database tracing leaves inbox inserts out as plumbing). Such a message has no effect to
/// make idempotent, so it is acknowledged at once; its row only keeps the inbox a full ledger of what each consumer took.
/// Should the process die within that second, those rows are missing, and nothing else.
/// </summary>
public sealed class PassedOverMessages(NpgsqlDataSource dataSource, ILogger<PassedOverMessages> logger) : BackgroundService
{
    /// <summary>How long rows gather before they are written: under load, one statement where each took a transaction.</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromSeconds(1);

    /// <summary>Beyond this many rows waiting (a database down for long), later ones are not recorded.</summary>
    public const int MaxWaiting = 100_000;

    private readonly WorkSignal _signal = new();
    private readonly Lock _lock = new();
    private List<(string Consumer, Guid MessageId)> _waiting = [];

    public void Record(string consumer, Guid messageId)
    {
        lock (_lock)
            if (_waiting.Count < MaxWaiting) _waiting.Add((consumer, messageId));
        _signal.Notify();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var failures = 0; !stoppingToken.IsCancellationRequested;)
        {
            try
            {
                await _signal.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                await Task.Delay(failures == 0 ? Gather : Backoff.Jittered(failures), stoppingToken);
                await WriteAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                failures++;
                logger.LogWarning(e, "The inbox rows of passed-over messages could not be written ({Failures} in a row); retrying", failures);
                _signal.Notify();
            }
        }
    }

    /// <summary>The rows still waiting are written before the process ends (after the bus has stopped: it started later).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await WriteAsync(cancellationToken); }
        catch (Exception e) { logger.LogWarning(e, "The inbox rows of passed-over messages could not be written at shutdown"); }
    }

    private async Task WriteAsync(CancellationToken ct)
    {
        List<(string Consumer, Guid MessageId)> rows;
        lock (_lock) (rows, _waiting) = (_waiting, []);
        if (rows.Count == 0) return;
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await connection.ExecuteAsync(
                """
                INSERT INTO inbox_messages (consumer, message_id)
                SELECT * FROM unnest(@consumers, @messageIds) ON CONFLICT DO NOTHING
                """,
                new { consumers = rows.Select(r => r.Consumer).ToArray(), messageIds = rows.Select(r => r.MessageId).ToArray() });
        }
        catch
        {
            lock (_lock) _waiting.InsertRange(0, rows);
            throw;
        }
    }
}
