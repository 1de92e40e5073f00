using MasStack.Account.Features.Accounts;
using MasStack.Contracts;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Account.Features.Bundles;

/// <summary>A catalogue bundle and whether the account could move to it; when not, every reason why; when so, what it would add.</summary>
public sealed record BundleOption(
    string Code, string Name, PaymentType PaymentType, int CommitmentMonths, Money EarlyTerminationFee, bool Compatible,
    IReadOnlyList<string> Reasons, IReadOnlyList<string> LinesToAdd);

public static class CompatibleBundlesApi
{
    public static IEndpointRouteBuilder MapCompatibleBundlesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").WithTags("Accounts").MapGet("/accounts/{accountId:long}/compatible-bundles", Get);
        return app;
    }

    /// <summary>
    /// Every other bundle of the catalogue, compatible ones first, each with the reasons it cannot hold the account's
    /// live lines (<c>?compatible=true</c> keeps only those it can); 503 when the catalogue (Signup) does not answer.
    /// </summary>
    private static async Task<Results<Ok<List<BundleOption>>, NotFound, ValidationProblem>> Get(
        long accountId, bool? compatible, [AsParameters] PageRequest page, NpgsqlDataSource database, CatalogueClient catalogue,
        HttpContext http, CancellationToken ct)
    {
        if (await AccountStore.GetAsync(database, accountId) is not { } account) return TypedResults.NotFound();
        var lines = (await AccountStore.LinesAsync(database, accountId))[accountId]
            .Where(l => l.Status is not (SubscriptionStatus.Cancelled or SubscriptionStatus.Moved))
            .Select(l => new HeldLine(l.Type, l.ProductCode)).ToList();

        var options = (await catalogue.GetAsync(ct)).Bundles
            .Where(b => b.Code != account.BundleCode)
            .Select(b => (Bundle: b, Reasons: BundleRules.WhyNot(b, account.Payment, lines)))
            .Select(o => new BundleOption(o.Bundle.Code, o.Bundle.Name, o.Bundle.PaymentType, o.Bundle.CommitmentMonths,
                o.Bundle.EarlyTerminationFee, o.Reasons.Count == 0, o.Reasons, o.Reasons.Count == 0 ? BundleRules.LinesToAdd(o.Bundle, lines) : []))
            .Where(o => compatible is null || o.Compatible == compatible)
            .OrderByDescending(o => o.Compatible);
        return page.ApplyOrNotFound(options, http);
    }
}
