using MasStack.Contracts;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Subscription.Features.Accounts;
using MasStack.Subscription.Features.Lines;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.Products;

public sealed record ProductView(string Code, string Name, SubscriptionType Type, Money MonthlyFee, Allowances Allowances);

public sealed record LineProducts(long SubscriptionId, string? BundleCode, ProductView? Current, IReadOnlyList<ProductView> Available);

public sealed record ProductChangeRequest(string? ProductCode);

public sealed record ProductChanged(long SubscriptionId, ProductView Product, string PreviousProductCode, DateTimeOffset ChangedAt);

public static class ProductApi
{
    public static IEndpointRouteBuilder MapProductApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/subscriptions/{subscriptionId:long}").WithTags("Products");
        api.MapGet("/products", List);
        api.MapPut("/product", Change).Transactional();
        return app;
    }

    private static async Task<Results<Ok<LineProducts>, NotFound>> List(long subscriptionId, NpgsqlDataSource database, CatalogueClient catalogues)
    {
        await using var connection = await database.OpenConnectionAsync();
        if (await LineStore.FindAsync(connection, subscriptionId) is not { } line) return TypedResults.NotFound();
        var bundle = await AccountBundles.FindAsync(connection, line.AccountId);
        var catalogue = await catalogues.GetAsync();
        var alternatives = LineLifecycle.IsLive(line.Status)
            ? ProductRules.Alternatives(catalogue, line.Type, line.ProductCode, bundle?.BundleCode, bundle?.PaymentType)
            : [];
        return TypedResults.Ok(new LineProducts(
            line.Id, bundle?.BundleCode, catalogue.Product(line.ProductCode) is { } current ? View(current) : null,
            alternatives.Select(View).ToList()));
    }

    /// <summary>PUT is idempotent: asking for the product the line already has answers 200 and changes nothing.</summary>
    private static async Task<Results<Ok<ProductChanged>, NotFound, ValidationProblem, ProblemHttpResult>> Change(
        long subscriptionId, ProductChangeRequest request, UnitOfWork db, CatalogueClient catalogues, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(request.ProductCode)) return ValidationErrors.For("productCode", "The field is required.");
        var code = request.ProductCode.Trim();
        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return TypedResults.NotFound();
        if (LineLifecycle.RefusalForChange(line.Status) is { } conflict) return Problems.Conflict(conflict);

        var catalogue = await catalogues.GetAsync();
        if (catalogue.Product(code) is not { } target) return Problems.Refused($"There is no product {code} in the catalogue.", "productCode");
        var now = clock.GetUtcNow();
        if (code == line.ProductCode) return TypedResults.Ok(new ProductChanged(line.Id, View(target), line.ProductCode, now));

        var bundle = await AccountBundles.FindAsync(db, line.AccountId);
        if (ProductRules.Refusal(catalogue, line.Type, target, bundle?.BundleCode, bundle?.PaymentType) is { } refusal)
            return Problems.Refused(refusal, "productCode");

        await LineStore.ChangeProductAsync(db, line, code, now);
        return TypedResults.Ok(new ProductChanged(line.Id, View(target), line.ProductCode, now));
    }

    private static ProductView View(CatalogueProduct p) => new(p.Code, p.Name, p.Type, p.MonthlyFee, p.Allowances);
}
