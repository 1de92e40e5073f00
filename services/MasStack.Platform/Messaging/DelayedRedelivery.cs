using System.Globalization;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace MasStack.Platform.Messaging;

/// <summary>
/// The first filter of every receive endpoint's error pipe (after the in-memory retries gave up): while the message has
/// delayed redeliveries left, it is moved to the delay queue of its next delay instead of the <c>_error</c> queue, and
/// the consumer's queue goes on with the messages behind it. Each delay is one durable queue on the broker
/// (<c>masstack-redelivery-10000ms</c>) whose message TTL is the delay and whose dead-letter exchange is the default one:
/// a message that expires there goes back to the queue it was routed to the delay queue with. Plain RabbitMQ, no plugin;
/// all queues share the delay queues (one TTL per queue, so messages expire in the order they came in).
/// </summary>
public sealed class DelayedRedeliveryFilter(RedeliveryOptions options, ILogger<DelayedRedeliveryFilter> logger) : IFilter<ExceptionReceiveContext>
{
    /// <summary>MassTransit's own header: how often the message was redelivered (<c>ConsumeContext.GetRedeliveryCount()</c>).</summary>
    public const string CountHeader = "MT-Redelivery-Count";

    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var redeliveries = context.TransportHeaders.TryGetHeader(CountHeader, out var count) ? RedeliveryCount(count) : 0;
        if (redeliveries >= options.Delays.Count
            || !context.TryGetPayload(out ChannelContext? channel)
            || !context.TryGetPayload(out RabbitMqBasicConsumeContext? delivery))
        {
            await next.Send(context); // parked: the usual fault and _error queue
            return;
        }

        var delay = options.Delays[redeliveries];
        var queue = QueueOf(context.InputAddress);
        var delayQueue = await DeclareDelayQueueAsync(channel, delay, context.CancellationToken);

        var properties = new BasicProperties(delivery.Properties) { Expiration = null };
        properties.Headers = RedeliveredHeaders(properties.Headers, redeliveries + 1);
        // Routed to the delay queue with the consumer's queue as routing key: it dead-letters back there on expiry.
        await channel.BasicPublishAsync(delayQueue, queue, true, properties, context.GetBody(), true, context.CancellationToken);

        logger.LogWarning(context.Exception,
            "Message {MessageId} on {Queue} failed; redelivery {Redelivery} of {Redeliveries} in {Delay}",
            delivery.Properties.MessageId, queue, redeliveries + 1, options.Delays.Count, delay);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("delayedRedelivery");

    public static string DelayQueueName(TimeSpan delay) =>
        $"masstack-redelivery-{((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms";

    /// <summary>A fanout exchange and its queue, both named after the delay (the same arguments wherever it is declared).</summary>
    private static async Task<string> DeclareDelayQueueAsync(ChannelContext channel, TimeSpan delay, CancellationToken ct)
    {
        var name = DelayQueueName(delay);
        await channel.ExchangeDeclare(name, ExchangeType.Fanout, true, false, new Dictionary<string, object>(), ct);
        await channel.QueueDeclare(name, true, false, false, new Dictionary<string, object>
        {
            ["x-message-ttl"] = (long)delay.TotalMilliseconds,
            ["x-dead-letter-exchange"] = "",
        }, ct);
        await channel.QueueBind(name, name, "", new Dictionary<string, object>(), ct);
        return name;
    }

    /// <summary>The message's headers with the redelivery count set and the broker's dead-lettering history left out.</summary>
    internal static Dictionary<string, object?> RedeliveredHeaders(IDictionary<string, object?>? headers, int redeliveries)
    {
        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in headers ?? new Dictionary<string, object?>())
            if (!key.StartsWith("x-death", StringComparison.OrdinalIgnoreCase)
                && !key.StartsWith("x-first-death", StringComparison.OrdinalIgnoreCase)
                && !key.StartsWith("x-last-death", StringComparison.OrdinalIgnoreCase))
                result[key] = value;
        result[CountHeader] = redeliveries;
        return result;
    }

    internal static int RedeliveryCount(object? header) => header switch
    {
        null => 0,
        int count => count,
        long count => (int)count,
        byte[] text => int.TryParse(System.Text.Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture, out var count) ? count : 0,
        _ => int.TryParse(Convert.ToString(header, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, out var count) ? count : 0,
    };

    /// <summary>The queue of a RabbitMQ input address (<c>rabbitmq://host:port/customer-signup-submitted</c>).</summary>
    internal static string QueueOf(Uri inputAddress) => inputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Last();
}
