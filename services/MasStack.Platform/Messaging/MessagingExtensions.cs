using MassTransit;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MasStack.Platform.Messaging;

public static class MessagingExtensions
{
    public const string ConnectionName = ResourceNames.RabbitMq;

    /// <summary>
    /// RabbitMQ through MassTransit: every consumer of the service's assembly reads its own queue,
    /// <c>{service}-{consumer name}</c> (two services consuming one event each get every message). A message whose
    /// handler fails is retried in memory, then redelivered with growing delays (<see cref="RedeliveryOptions"/>), and
    /// only then parked in that queue's <c>_error</c> queue for an operator to inspect and replay
    /// (<see cref="ParkedMessagesApi"/>). Events are read tolerantly: unknown fields are ignored and an unknown
    /// enumeration value reads as "other" (<see cref="TolerantEnumConverter"/>).
    /// </summary>
    public static void AddMessaging(this IHostApplicationBuilder builder, ServiceIdentity service)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set.");
        var consumers = ServiceConsumers.Of(service.Name, service.Assembly);
        var redelivery = RedeliveryOptions.From(builder.Configuration);

        builder.Services.AddSingleton(consumers);
        builder.Services.AddSingleton(redelivery);
        builder.Services.AddSingleton(new ParkedMessages(new Uri(connectionString), consumers));
        if (consumers.Retired.Count > 0)
            builder.Services.AddHostedService(sp => new RetiredQueues(new Uri(connectionString), consumers, sp.GetRequiredService<ILogger<RetiredQueues>>()));
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddSingleton<PassedOverMessages>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PassedOverMessages>());
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new StableEndpointNames(service.Name, consumers));
            foreach (var consumer in consumers.All) bus.AddConsumer(consumer.Type);
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.ConfigureError(error =>
            {
                error.UseFilter(new DelayedRedeliveryFilter(redelivery, context.GetRequiredService<ILogger<DelayedRedeliveryFilter>>()));
                error.UseFilter(new MassTransit.Middleware.GenerateFaultFilter());
                error.UseFilter(new MassTransit.Middleware.ErrorTransportFilter());
            }));
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString));
                rabbit.UseMessageRetry(retry => retry.Intervals([.. redelivery.Retries]));
                rabbit.ConfigureJsonSerializerOptions(options =>
                {
                    options.Converters.Add(new TolerantEnumConverter());
                    return options;
                });
                rabbit.ConfigureEndpoints(context);
            });
        });
    }

    /// <summary>Queue names from the consumers' declared names, not their classes.</summary>
    private sealed class StableEndpointNames(string serviceName, ServiceConsumers consumers) : KebabCaseEndpointNameFormatter(serviceName, false)
    {
        public override string Consumer<T>() => consumers.QueueOf(typeof(T));
    }
}
