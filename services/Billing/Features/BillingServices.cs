using MasStack.Billing.Features.Invoices;
using MasStack.Billing.Features.Invoicing;
using MasStack.Billing.Features.PaymentInfo;
using MasStack.Billing.Features.Runs;

namespace MasStack.Billing.Features;

public static class BillingServices
{
    /// <summary>What Billing adds to the platform: the tax rates of its configuration and the billing run worker.</summary>
    public static WebApplicationBuilder AddBillingServices(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<TaxRates>(builder.Configuration.GetSection(TaxRates.Section));
        builder.Services.AddSingleton<BillingRunSignal>();
        builder.Services.AddHostedService<BillingRunWorker>();
        return builder;
    }

    public static IEndpointRouteBuilder MapBillingApi(this IEndpointRouteBuilder app) =>
        app.MapPaymentInfoApi().MapBillingRunApi().MapInvoiceApi();
}
