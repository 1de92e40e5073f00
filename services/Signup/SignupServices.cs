using MasStack.Signup.Features.Catalogue;
using MasStack.Signup.Features.LineAddition;
using MasStack.Signup.Features.Numbers;
using MasStack.Signup.Features.Portability;
using MasStack.Signup.Features.Sales;
using MasStack.Signup.Features.SimCards;

namespace MasStack.Signup;

public static class SignupServices
{
    /// <summary>Signup's own registrations: catalogue, stock, the saga's timeouts and the portability process.</summary>
    public static IServiceCollection AddSignupServices(this IServiceCollection services)
    {
        services.AddSingleton<CatalogueStore>();
        services.AddHostedService<CatalogueSeeder>();
        services.AddHostedService<SimStockSeeder>();
        services.AddSingleton<NumberStock>();
        services.AddScoped<SaleStock>();
        services.AddHostedService<SignupTimeouts>();
        services.AddHttpClient<AccountClient>(client => client.BaseAddress = AccountClient.BaseAddress);
        services.AddHttpClient<ClearingHouseClient>(client => client.BaseAddress = ClearingHouseClient.BaseAddress);
        services.AddHostedService<PortabilityWorker>();
        return services;
    }
}
