using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;

namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>Publishes an event on the suite's RabbitMQ as its owner's outbox relay would: for a service that does not publish it yet.</summary>
public static class Broker
{
    /// <summary>
    /// Publishes <paramref name="message"/> <paramref name="times"/> times under one message id (a redelivery, when more
    /// than once) and returns that id: the key of each consumer's inbox row.
    /// </summary>
    public static async Task<Guid> PublishAsync<T>(this SuiteFixture suite, T message, int times = 1) where T : class
    {
        var messageId = NewId.NextGuid();
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
                await bus.Publish(message, context => context.MessageId = messageId);
        }
        finally
        {
            await bus.StopAsync();
        }
        return messageId;
    }
}
