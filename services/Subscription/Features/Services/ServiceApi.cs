using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Subscription.Features.Lines;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.Services;

public enum ServiceState { On, Off }

public sealed record ServiceView(string Code, string Name, ServiceState Status, Money MonthlyFee, bool OnByDefault);

public sealed record ServiceChangeRequest(ServiceState? Status);

public static class ServiceApi
{
    public static IEndpointRouteBuilder MapServiceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/subscriptions/{subscriptionId:long}/services").WithTags("Services");
        api.MapGet("", List);
        api.MapPatch("/{serviceCode}", Switch).Transactional();
        return app;
    }

    private static async Task<Results<Ok<List<ServiceView>>, NotFound>> List(long subscriptionId, NpgsqlDataSource database, CatalogueClient catalogues)
    {
        await using var connection = await database.OpenConnectionAsync();
        if (await LineStore.FindAsync(connection, subscriptionId) is not { } line) return TypedResults.NotFound();
        var switched = (await connection.QueryAsync<(string Code, bool Enabled)>(
            "SELECT service_code, enabled FROM subscription_services WHERE subscription_id = @subscriptionId", new { subscriptionId }))
            .ToDictionary(s => s.Code, s => s.Enabled);
        var catalogue = await catalogues.GetAsync();
        if (catalogue.Product(line.ProductCode) is not { } product) return TypedResults.Ok(new List<ServiceView>());
        return TypedResults.Ok(ServiceRules.Of(catalogue, product, switched).Select(View).ToList());
    }

    private static async Task<Results<Ok<ServiceView>, NotFound, ValidationProblem, ProblemHttpResult>> Switch(
        long subscriptionId, string serviceCode, ServiceChangeRequest request, UnitOfWork db, CatalogueClient catalogues, TimeProvider clock)
    {
        if (request.Status is not { } status) return ValidationErrors.For("status", $"One of {EnumText.Choices<ServiceState>()}.");
        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return TypedResults.NotFound();
        var catalogue = await catalogues.GetAsync();
        if (catalogue.Services.FirstOrDefault(s => s.Code == serviceCode) is not { } service) return TypedResults.NotFound();
        if (LineLifecycle.RefusalForChange(line.Status) is { } conflict) return Problems.Conflict(conflict);
        if (catalogue.Product(line.ProductCode) is not { } product || !ServiceRules.Allows(product, service))
            return Problems.Conflict($"The line's product {line.ProductCode} does not include the service {service.Code}.");

        var enabled = status == ServiceState.On;
        var current = await db.QuerySingleOrDefaultAsync<bool?>(
            "SELECT enabled FROM subscription_services WHERE subscription_id = @Id AND service_code = @Code", new { line.Id, service.Code })
            ?? service.OnByDefault;
        if (current != enabled)
        {
            var now = clock.GetUtcNow();
            await db.ExecuteAsync(
                """
                INSERT INTO subscription_services (subscription_id, service_code, enabled, updated_at) VALUES (@Id, @Code, @enabled, @now)
                ON CONFLICT (subscription_id, service_code) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at
                """, new { line.Id, service.Code, enabled, now });
            var version = await LineStore.NextVersionAsync(db, line.Id, now);
            await db.PublishAsync(new SubscriptionServiceChanged(line.Id, line.AccountId, line.UserId, service.Code, enabled, now, version));
        }
        return TypedResults.Ok(View(new LineService(service, enabled)));
    }

    private static ServiceView View(LineService s) =>
        new(s.Service.Code, s.Service.Name, s.Enabled ? ServiceState.On : ServiceState.Off, s.Service.MonthlyFee, s.Service.OnByDefault);
}
