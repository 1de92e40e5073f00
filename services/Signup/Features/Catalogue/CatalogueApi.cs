using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Signup.Features.Catalogue;

public static class CatalogueApi
{
    public static IEndpointRouteBuilder MapCatalogueApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/catalogue").WithTags("Catalogue");
        api.MapGet("/bundles", async Task<Results<Ok<List<CatalogueBundle>>, ValidationProblem>> (
            string? paymentType, [AsParameters] PageRequest page, HttpContext http, CatalogueStore store) =>
        {
            if (paymentType is not null && !EnumText.TryParse<PaymentType>(paymentType, out _))
                return ValidationErrors.For("paymentType", $"One of {EnumText.Choices<PaymentType>()}.");
            var bundles = (await store.LoadAsync()).Bundles;
            return page.Apply(bundles.Where(b => paymentType is null || EnumText.Of(b.PaymentType) == paymentType), http);
        });
        api.MapGet("/bundles/{code}", async Task<Results<Ok<CatalogueBundle>, NotFound>> (string code, CatalogueStore store) =>
            (await store.LoadAsync()).Bundle(code) is { } bundle ? TypedResults.Ok(bundle) : TypedResults.NotFound());
        api.MapGet("/products", async Task<Results<Ok<List<CatalogueProduct>>, ValidationProblem>> (
            string? type, [AsParameters] PageRequest page, HttpContext http, CatalogueStore store) =>
        {
            if (type is not null && !EnumText.TryParse<SubscriptionType>(type, out _))
                return ValidationErrors.For("type", $"One of {EnumText.Choices<SubscriptionType>()}.");
            var products = (await store.LoadAsync()).Products;
            return page.Apply(products.Where(p => type is null || EnumText.Of(p.Type) == type), http);
        });
        api.MapGet("/products/{code}", async Task<Results<Ok<CatalogueProduct>, NotFound>> (string code, CatalogueStore store) =>
            (await store.LoadAsync()).Product(code) is { } product ? TypedResults.Ok(product) : TypedResults.NotFound());
        api.MapGet("/services", async ([AsParameters] PageRequest page, HttpContext http, CatalogueStore store) =>
            page.Apply((await store.LoadAsync()).Services, http));
        api.MapGet("/bonuses", async ([AsParameters] PageRequest page, HttpContext http, CatalogueStore store) =>
            page.Apply((await store.LoadAsync()).Bonuses, http));
        api.MapGet("/promotions", async ([AsParameters] PageRequest page, HttpContext http, CatalogueStore store) =>
            page.Apply((await store.LoadAsync()).Promotions, http));

        // The whole catalogue in one document, for the other services (not routed by the gateway).
        app.MapGet("/internal/catalogue", async (CatalogueStore store) => TypedResults.Ok(await store.LoadAsync()))
            .WithTags("Internal").ExcludeFromDescription();
        return app;
    }
}
