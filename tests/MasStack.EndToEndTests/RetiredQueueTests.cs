using MasStack.EndToEndTests.Infrastructure;
using MasStack.Platform.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace MasStack.EndToEndTests;

/// <summary>A consumer taken out of a service leaves no queue behind on the broker, and none is taken from an instance still reading it.</summary>
[Collection(SuiteCollection.Name)]
public class RetiredQueueTests(SuiteFixture suite)
{
    [Fact]
    public async Task A_retired_queue_is_deleted_with_its_exchange_once_no_instance_reads_it_and_its_parked_messages_stay()
    {
        // Given a retired consumer's queue as MassTransit left it on the broker: its exchange bound to the event's, a message
        // waiting, one parked in its _error queue, an empty _skipped queue; and an older instance still reading it
        var broker = new Uri(await suite.RabbitMqConnectionStringAsync());
        var id = Guid.NewGuid().ToString("N");
        string eventExchange = $"MasStack.Tests:Retired{id}", queue = $"retired-{id}", error = $"retired-{id}_error", skipped = $"retired-{id}_skipped";
        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        await using (var setup = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await setup.ExchangeDeclareAsync(eventExchange, ExchangeType.Fanout, durable: true);
            await setup.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true);
            await setup.ExchangeBindAsync(destination: queue, source: eventExchange, routingKey: "");
            await setup.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await setup.QueueBindAsync(queue, queue, "");
            foreach (var parked in new[] { error, skipped }) await setup.QueueDeclareAsync(parked, durable: true, exclusive: false, autoDelete: false);
            await setup.BasicPublishAsync(eventExchange, "", "{}"u8.ToArray());
            await setup.BasicPublishAsync("", error, "{}"u8.ToArray());
        }
        await using var olderInstance = await connection.CreateChannelAsync();
        var reading = await olderInstance.BasicConsumeAsync(queue, autoAck: false, new AsyncEventingBasicConsumer(olderInstance));

        // When the newer instances retire it, the queue stays while it is read
        Assert.Equal([queue], await RetiredQueues.RemoveAsync(broker, [queue], CancellationToken.None));
        Assert.True(await suite.QueueExistsAsync(queue));
        Assert.True(await suite.ExchangeExistsAsync(queue));

        // And once the older instance has gone, the queue and its exchange are deleted, and the empty _skipped queue
        await olderInstance.BasicCancelAsync(reading);
        Assert.Empty(await RetiredQueues.RemoveAsync(broker, [queue], CancellationToken.None));
        Assert.False(await suite.QueueExistsAsync(queue));
        Assert.False(await suite.ExchangeExistsAsync(queue));
        Assert.False(await suite.QueueExistsAsync(skipped));

        // The parked message stays for an operator
        Assert.Equal(1u, await suite.DepthAsync(error));

        // Retiring it again, as every later start does, finds nothing to do
        Assert.Empty(await RetiredQueues.RemoveAsync(broker, [queue], CancellationToken.None));
    }
}
