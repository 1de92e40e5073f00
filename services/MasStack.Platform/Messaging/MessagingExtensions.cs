using MassTransit;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MasStack.Platform.Messaging;

public static class MessagingExtensions
{
    public const string ConnectionName = ResourceNames.RabbitMq;

    /// <summary>
    /// RabbitMQ through MassTransit: every consumer of the service's assembly gets a queue prefixed by the
    /// service name (two services consuming one event each get every message), retries with exponential
    /// backoff, then the message goes to that queue's <c>_error</c> queue for an operator to inspect and replay.
    /// </summary>
    public static void AddMessaging(this IHostApplicationBuilder builder, ServiceIdentity service)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set.");

        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(service.Name, includeNamespace: false));
            bus.AddConsumers(service.Assembly);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString));
                rabbit.UseMessageRetry(retry => retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
                rabbit.ConfigureJsonSerializerOptions(options =>
                {
                    options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.KebabCaseLower));
                    return options;
                });
                rabbit.ConfigureEndpoints(context);
            });
        });
    }
}
