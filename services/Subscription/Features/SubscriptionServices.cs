using MasStack.Platform.Http;
using MasStack.Subscription.Features.SimSwap;
using MasStack.Subscription.Features.WorkOrders;

namespace MasStack.Subscription.Features;

public static class SubscriptionServices
{
    /// <summary>What Subscription adds to the platform: the SIM stock (Signup) and the network it calls, and the work order dispatcher.</summary>
    public static WebApplicationBuilder AddSubscriptionServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<SimStockClient>(client => client.BaseAddress = SimStockClient.BaseAddress)
            .AddDependencyResilience("sim-stock", DependencyPolicy.Interactive);
        builder.Services.AddHttpClient<NetworkClient>(client => client.BaseAddress = NetworkClient.BaseAddress)
            .AddDependencyResilience("network", NetworkClient.Policy);
        builder.Services.AddSingleton<WorkOrderSignal>();
        builder.Services.AddHostedService<WorkOrderDispatcher>();
        return builder;
    }
}
