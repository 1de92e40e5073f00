using MasStack.Platform.Http;
using MasStack.Subscription.Features.SimSwap;
using MasStack.Subscription.Features.Termination;
using MasStack.Subscription.Features.WorkOrders;

namespace MasStack.Subscription.Features;

public static class SubscriptionServices
{
    /// <summary>
    /// What Subscription adds to the platform: the SIM stock (Signup), the account terms (Account) and the network it calls,
    /// the work order dispatcher and the termination worker.
    /// </summary>
    public static WebApplicationBuilder AddSubscriptionServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<SimStockClient>(client => client.BaseAddress = SimStockClient.BaseAddress)
            .AddDependencyResilience("sim-stock", DependencyPolicy.Interactive);
        builder.Services.AddHttpClient<NetworkClient>(client => client.BaseAddress = NetworkClient.BaseAddress)
            .AddDependencyResilience("network", NetworkClient.Policy);
        builder.Services.AddHttpClient<AccountTermsClient>(client => client.BaseAddress = AccountTermsClient.BaseAddress)
            .AddDependencyResilience("account-terms", DependencyPolicy.Interactive);
        builder.Services.AddSingleton<WorkOrderSignal>();
        builder.Services.AddHostedService<WorkOrderDispatcher>();
        builder.Services.AddSingleton<TerminationSignal>();
        builder.Services.AddHostedService<TerminationWorker>();
        return builder;
    }
}
