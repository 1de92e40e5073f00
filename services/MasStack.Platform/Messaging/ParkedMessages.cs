using System.Globalization;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace MasStack.Platform.Messaging;

/// <summary>A message parked in a consumer's <c>_error</c> queue, as MassTransit's fault headers describe it.</summary>
public sealed record ParkedMessage(
    string? MessageId, string? MessageType, DateTimeOffset? ParkedAt, string? ExceptionType, string? Reason, int Redeliveries);

/// <summary>One consumer queue's parked messages: how many there are, and the first of them.</summary>
public sealed record ParkedQueue(string Queue, long Count, IReadOnlyList<ParkedMessage> Messages);

/// <summary>
/// The service's parked messages — those that exhausted their redeliveries and wait in their queue's <c>_error</c>
/// queue — read and replayed over a connection of its own to the broker. Reading takes the messages without
/// acknowledging them and hands them back when the channel closes, so they stay parked, in their order. Replaying
/// sends a message back to its consumer's queue (with a fresh redelivery count) and only then removes it from the
/// <c>_error</c> queue: a crash in between replays it twice, which the consumer's inbox absorbs.
/// </summary>
public sealed class ParkedMessages(Uri broker, ServiceConsumers consumers)
{
    public const int MaxListed = 1000;

    public async Task<IReadOnlyList<ParkedQueue>> ListAsync(string? queue, int limit, CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        var result = new List<ParkedQueue>();
        foreach (var consumerQueue in QueuesOf(queue))
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            var count = await CountAsync(channel, ErrorQueueOf(consumerQueue), ct);
            var messages = new List<ParkedMessage>();
            for (var i = 0; i < Math.Min(count, limit); i++)
            {
                if (await channel.BasicGetAsync(ErrorQueueOf(consumerQueue), autoAck: false, ct) is not { } got) break;
                messages.Add(Describe(got));
            }
            result.Add(new ParkedQueue(consumerQueue, count, messages));
        } // closing the channel gives back every message it took, unacknowledged: they stay parked
        return result;
    }

    /// <summary>Sends the parked messages of <paramref name="queue"/> (all queues when null) back to their consumers; only those with the given ids when some are given.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ReplayAsync(string? queue, IReadOnlySet<string>? messageIds, CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        var replayed = new Dictionary<string, int>();
        foreach (var consumerQueue in QueuesOf(queue))
        {
            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            var errorQueue = ErrorQueueOf(consumerQueue);
            var count = await CountAsync(channel, errorQueue, ct);
            var sent = 0;
            for (var i = 0; i < count; i++)
            {
                if (await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is not { } got) break;
                if (messageIds is not null && !messageIds.Contains(got.BasicProperties.MessageId ?? "")) continue; // left parked
                var properties = new BasicProperties(got.BasicProperties) { Headers = ReplayedHeaders(got.BasicProperties.Headers) };
                await channel.BasicPublishAsync("", consumerQueue, mandatory: true, properties, got.Body, ct); // awaits the broker's confirm
                await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
                sent++;
            }
            replayed[consumerQueue] = sent;
        }
        return replayed;
    }

    private IEnumerable<string> QueuesOf(string? queue) =>
        queue is null ? consumers.All.Select(c => c.Queue) : [queue];

    public static string ErrorQueueOf(string queue) => queue + "_error";

    private async Task<IConnection> ConnectAsync(CancellationToken ct) =>
        await new ConnectionFactory { Uri = broker, ClientProvidedName = "masstack-parked-messages" }.CreateConnectionAsync(ct);

    /// <summary>The number of messages in the queue; 0 when the queue does not exist (nothing was ever parked there).</summary>
    private static async Task<uint> CountAsync(IChannel channel, string queue, CancellationToken ct)
    {
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private static ParkedMessage Describe(BasicGetResult got)
    {
        var headers = got.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) ? Text(value) : null;
        return new ParkedMessage(
            got.BasicProperties.MessageId,
            MessageTypeOf(got.Body.Span),
            DateTimeOffset.TryParse(Header("MT-Fault-Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            Header("MT-Fault-ExceptionType"),
            Header("MT-Fault-Message"),
            headers.TryGetValue(DelayedRedeliveryFilter.CountHeader, out var count) ? DelayedRedeliveryFilter.RedeliveryCount(count) : 0);
    }

    /// <summary>The event's type from MassTransit's envelope (<c>urn:message:MasStack.Contracts:SignupSubmitted</c> → <c>SignupSubmitted</c>).</summary>
    private static string? MessageTypeOf(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var envelope = JsonDocument.ParseValue(ref reader);
            return envelope.RootElement.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0
                ? types[0].GetString()?.Split(':').Last()
                : null;
        }
        catch (JsonException)
        {
            return null; // not a MassTransit envelope: listed without a type
        }
    }

    /// <summary>Headers for a replay: no fault, redelivery or dead-lettering history, so the message gets every redelivery again.</summary>
    internal static Dictionary<string, object?> ReplayedHeaders(IDictionary<string, object?>? headers)
    {
        var result = DelayedRedeliveryFilter.RedeliveredHeaders(headers, 0);
        result.Remove(DelayedRedeliveryFilter.CountHeader);
        foreach (var key in result.Keys.Where(k => k.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase) || k.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase)).ToList())
            result.Remove(key);
        return result;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime).ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
