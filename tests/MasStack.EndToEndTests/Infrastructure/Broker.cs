using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;

namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>Publishes an event on the suite's RabbitMQ as its owner's outbox relay would: for a service that does not publish it yet.</summary>
public static class Broker
{
    /// <summary>
    /// Publishes <paramref name="message"/> <paramref name="times"/> times under one message id (a redelivery, when more
    /// than once, or when the id of an earlier publication is given) and returns that id: the key of each consumer's inbox row.
    /// </summary>
    public static async Task<Guid> PublishAsync<T>(this SuiteFixture suite, T message, int times = 1, Guid? messageId = null) where T : class
    {
        var id = messageId ?? NewId.NextGuid();
        var rabbitMq = new Uri(await suite.RabbitMqConnectionStringAsync());
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(rabbitMq);
            rabbit.ConfigureJsonSerializerOptions(options =>
            {
                options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
                return options;
            });
        });
        await bus.StartAsync();
        try
        {
            for (var i = 0; i < times; i++)
                await bus.Publish(message, context => context.MessageId = id);
        }
        finally
        {
            await bus.StopAsync();
        }
        return id;
    }
}

/// <summary>What the suite's RabbitMQ holds, and messages put on it as raw JSON (as a newer producer would send them).</summary>
public static class BrokerQueues
{
    /// <summary>The number of messages waiting in <paramref name="queue"/>; 0 when it does not exist.</summary>
    public static async Task<uint> DepthAsync(this SuiteFixture suite, string queue) =>
        await DeclaredAsync(suite, async channel => (await channel.QueueDeclarePassiveAsync(queue)).MessageCount);

    public static async Task<bool> QueueExistsAsync(this SuiteFixture suite, string queue) =>
        await DeclaredAsync(suite, async channel => { await channel.QueueDeclarePassiveAsync(queue); return true; });

    public static async Task<bool> ExchangeExistsAsync(this SuiteFixture suite, string exchange) =>
        await DeclaredAsync(suite, async channel => { await channel.ExchangeDeclarePassiveAsync(exchange); return true; });

    /// <summary>What a passive declaration answers; the default when the broker does not know the name (a 404 closes the channel).</summary>
    private static async Task<T?> DeclaredAsync<T>(SuiteFixture suite, Func<RabbitMQ.Client.IChannel, Task<T>> declarePassive)
    {
        await using var connection = await ConnectAsync(suite);
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return await declarePassive(channel);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return default;
        }
    }

    /// <summary>
    /// Publishes <paramref name="message"/> (the event's JSON, as is) in a MassTransit envelope to the exchange of
    /// <c>MasStack.Contracts.{eventName}</c>, and returns its message id.
    /// </summary>
    public static async Task<Guid> PublishRawAsync(this SuiteFixture suite, string eventName, System.Text.Json.Nodes.JsonObject message)
    {
        var messageId = NewId.NextGuid();
        var envelope = new System.Text.Json.Nodes.JsonObject
        {
            ["messageId"] = messageId.ToString(),
            ["messageType"] = new System.Text.Json.Nodes.JsonArray($"urn:message:MasStack.Contracts:{eventName}"),
            ["message"] = message,
            ["sentTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["headers"] = new System.Text.Json.Nodes.JsonObject(),
        };
        await using var connection = await ConnectAsync(suite);
        await using var channel = await connection.CreateChannelAsync(
            new RabbitMQ.Client.CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new RabbitMQ.Client.BasicProperties
        {
            MessageId = messageId.ToString(),
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = RabbitMQ.Client.DeliveryModes.Persistent,
        };
        await channel.BasicPublishAsync($"MasStack.Contracts:{eventName}", "", mandatory: true, properties,
            System.Text.Encoding.UTF8.GetBytes(envelope.ToJsonString()));
        return messageId;
    }

    private static async Task<RabbitMQ.Client.IConnection> ConnectAsync(SuiteFixture suite) =>
        await new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(await suite.RabbitMqConnectionStringAsync()) }.CreateConnectionAsync();
}
