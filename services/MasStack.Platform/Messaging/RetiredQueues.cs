using MasStack.Platform.Workers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace MasStack.Platform.Messaging;

/// <summary>
/// Takes the queues of retired consumers (<see cref="RetiredConsumersAttribute"/>) off the broker. MassTransit declares and
/// binds a consumer's queue but never unbinds it: a consumer taken out of the code would leave its queue taking a copy of
/// every event, read by no one, for ever. A retired queue is deleted once no instance reads it (in a rolling deploy an older
/// instance still may, and the broker refuses to delete a queue with consumers), tried again every
/// <see cref="Interval"/> until then; its exchange goes with it, and its <c>_error</c> and <c>_skipped</c> queues when they
/// are empty (parked messages stay for an operator). A queue that is not there (a new broker) is done at once.
/// </summary>
public sealed class RetiredQueues(Uri broker, ServiceConsumers consumers, ILogger<RetiredQueues> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<string> left = consumers.Retired;
        var failures = 0;
        while (left.Count > 0)
        {
            try
            {
                left = await RemoveAsync(broker, left, stoppingToken);
                failures = 0;
                foreach (var queue in left) logger.LogInformation("The retired queue {Queue} is still read; removed once no instance reads it", queue);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                logger.LogWarning(e, "Removing the retired queues failed ({Failures} in a row); retrying", failures);
            }
            if (left.Count == 0) return;
            try { await Task.Delay(failures > 0 ? Backoff.Jittered(failures) : Interval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Deletes each of <paramref name="queues"/> that no one reads, with its exchange; returns those still read.</summary>
    public static async Task<IReadOnlyList<string>> RemoveAsync(Uri broker, IEnumerable<string> queues, CancellationToken ct)
    {
        await using var connection = await new ConnectionFactory { Uri = broker, ClientProvidedName = "masstack-retired-queues" }.CreateConnectionAsync(ct);
        var stillRead = new List<string>();
        foreach (var queue in queues)
        {
            if (!await DeleteAsync(connection, queue, ifUnused: true, ifEmpty: false, ct))
            {
                stillRead.Add(queue);
                continue;
            }
            await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
                await channel.ExchangeDeleteAsync(queue, ifUnused: false, cancellationToken: ct);
            foreach (var parked in new[] { ParkedMessages.ErrorQueueOf(queue), queue + "_skipped" })
                await DeleteAsync(connection, parked, ifUnused: false, ifEmpty: true, ct);
        }
        return stillRead;
    }

    /// <summary>Deletes the queue (nothing to do when it is not there); false when the broker refused on a condition (406).</summary>
    private static async Task<bool> DeleteAsync(IConnection connection, string queue, bool ifUnused, bool ifEmpty, CancellationToken ct)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            await channel.QueueDeleteAsync(queue, ifUnused, ifEmpty, cancellationToken: ct);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406) // PRECONDITION_FAILED: read, or not empty
        {
            return false;
        }
    }
}
