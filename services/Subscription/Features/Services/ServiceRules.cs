using MasStack.Contracts;

namespace MasStack.Subscription.Features.Services;

public sealed record LineService(CatalogueService Service, bool Enabled);

/// <summary>The value-added services a line has: those its product allows, on or off as switched, else as the catalogue's default.</summary>
public static class ServiceRules
{
    public static IReadOnlyList<LineService> Of(Catalogue catalogue, CatalogueProduct product, IReadOnlyDictionary<string, bool> switched) =>
        catalogue.Services
            .Where(s => Allows(product, s))
            .Select(s => new LineService(s, switched.TryGetValue(s.Code, out var enabled) ? enabled : s.OnByDefault))
            .ToList();

    public static bool Allows(CatalogueProduct product, CatalogueService service) =>
        product.Services.Contains(service.Code) && service.AppliesTo.Contains(product.Type);
}
