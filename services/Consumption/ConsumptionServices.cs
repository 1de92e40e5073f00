using MasStack.Consumption.Features.Balances;
using MasStack.Consumption.Features.Details;
using MasStack.Consumption.Features.Limits;
using MasStack.Consumption.Features.Rating;

namespace MasStack.Consumption;

public static class ConsumptionServices
{
    public static IServiceCollection AddConsumptionServices(this IServiceCollection services) =>
        services.AddHostedService<MonthlyLimitReset>();

    public static IEndpointRouteBuilder MapConsumptionApis(this IEndpointRouteBuilder app) =>
        app.MapUsageApi().MapBalanceApi().MapConsumptionApi().MapLimitApi();
}
