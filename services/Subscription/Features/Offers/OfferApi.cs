using MasStack.Contracts;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Subscription.Features.Lines;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.Offers;

public sealed record BonusRequest(string? BonusCode, DateOnly? StartDate);

public sealed record PromotionRequest(string? PromotionCode, DateOnly? StartDate);

public sealed record BonusView(
    long BonusId, long SubscriptionId, string BonusCode, string? Name, DateOnly StartDate, DateOnly EndDate, OfferState Status,
    Allowances? Allowances, Money? Price);

public sealed record PromotionView(
    long PromotionId, long SubscriptionId, string PromotionCode, string? Name, DateOnly StartDate, DateOnly EndDate, OfferState Status,
    decimal? DiscountPercent, int? DurationMonths);

/// <summary>Bonuses (extra allowances) and promotions (discounts) of the catalogue on a line, and an account's promotions across its lines.</summary>
public static class OfferApi
{
    public static IEndpointRouteBuilder MapOfferApi(this IEndpointRouteBuilder app)
    {
        var line = app.MapGroup("/api/v1/subscriptions/{subscriptionId:long}").WithTags("Bonuses and promotions");
        line.MapGet("/bonuses", (long subscriptionId, [AsParameters] PageRequest page, HttpContext http, NpgsqlDataSource database, CatalogueClient catalogues, TimeProvider clock) =>
            ListAsync(subscriptionId, OfferKind.Bonus, BonusOf, page, http, database, catalogues, clock));
        line.MapPost("/bonuses", (long subscriptionId, BonusRequest request, UnitOfWork db, CatalogueClient catalogues, IdGenerator ids, TimeProvider clock) =>
            AddAsync(subscriptionId, OfferKind.Bonus, "bonusCode", request.BonusCode, request.StartDate, BonusOf, db, catalogues, ids, clock)).Transactional();
        line.MapDelete("/bonuses/{bonusId:long}", (long subscriptionId, long bonusId, UnitOfWork db, TimeProvider clock) =>
            RemoveAsync(subscriptionId, OfferKind.Bonus, bonusId, db, clock)).Transactional();

        line.MapGet("/promotions", (long subscriptionId, [AsParameters] PageRequest page, HttpContext http, NpgsqlDataSource database, CatalogueClient catalogues, TimeProvider clock) =>
            ListAsync(subscriptionId, OfferKind.Promotion, PromotionOf, page, http, database, catalogues, clock));
        line.MapPost("/promotions", (long subscriptionId, PromotionRequest request, UnitOfWork db, CatalogueClient catalogues, IdGenerator ids, TimeProvider clock) =>
            AddAsync(subscriptionId, OfferKind.Promotion, "promotionCode", request.PromotionCode, request.StartDate, PromotionOf, db, catalogues, ids, clock)).Transactional();
        line.MapDelete("/promotions/{promotionId:long}", (long subscriptionId, long promotionId, UnitOfWork db, TimeProvider clock) =>
            RemoveAsync(subscriptionId, OfferKind.Promotion, promotionId, db, clock)).Transactional();

        app.MapGroup("/api/v1").WithTags("Bonuses and promotions").MapGet("/accounts/{accountId:long}/promotions", AccountPromotions);
        return app;
    }

    private static async Task<Results<Ok<List<TView>>, NotFound, ValidationProblem>> ListAsync<TView>(
        long subscriptionId, OfferKind kind, Func<OfferRow, Catalogue, DateOnly, TView> view, PageRequest page, HttpContext http,
        NpgsqlDataSource database, CatalogueClient catalogues, TimeProvider clock)
    {
        await using var connection = await database.OpenConnectionAsync();
        if (await LineStore.FindAsync(connection, subscriptionId) is null) return TypedResults.NotFound();
        return await PageAsync(await OfferStore.ListAsync(connection, subscriptionId, kind), view, page, http, catalogues, clock);
    }

    private static async Task<Results<Created<TView>, NotFound, ValidationProblem, ProblemHttpResult>> AddAsync<TView>(
        long subscriptionId, OfferKind kind, string codeField, string? code, DateOnly? startDate, Func<OfferRow, Catalogue, DateOnly, TView> view,
        UnitOfWork db, CatalogueClient catalogues, IdGenerator ids, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(code)) return ValidationErrors.For(codeField, "The field is required.");
        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return TypedResults.NotFound();
        if (LineLifecycle.RefusalForChange(line.Status) is { } conflict) return Problems.Conflict(conflict);

        var catalogue = await catalogues.GetAsync();
        if (TermsOf(catalogue, kind, code.Trim()) is not { } terms)
            return Problems.Refused($"There is no {EnumText.Of(kind)} {code.Trim()} in the catalogue.", codeField);
        var today = Today(clock);
        var start = startDate ?? today;
        var period = new OfferPeriod(start, terms.EndDate(start));
        var held = await OfferStore.PeriodsAsync(db, line.Id, kind, terms.Code);
        if (OfferRules.Refusal(terms, line.Type, period, held, today) is { } refusal)
            return refusal.Status == StatusCodes.Status409Conflict ? Problems.Conflict(refusal.Detail) : Problems.Refused(refusal.Detail, codeField);

        var offer = await OfferStore.AddAsync(db, ids.Next(), line, terms, period, clock.GetUtcNow());
        var segment = kind == OfferKind.Bonus ? "bonuses" : "promotions";
        return TypedResults.Created($"/api/v1/subscriptions/{line.Id}/{segment}/{offer.Id}", view(offer, catalogue, today));
    }

    private static async Task<Results<NoContent, NotFound>> RemoveAsync(long subscriptionId, OfferKind kind, long offerId, UnitOfWork db, TimeProvider clock)
    {
        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return TypedResults.NotFound();
        return await OfferStore.RemoveAsync(db, line, kind, offerId, clock.GetUtcNow()) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    /// <summary>The promotions on each line of the account; 404 when no line of that account is known here.</summary>
    private static async Task<Results<Ok<List<PromotionView>>, NotFound, ValidationProblem>> AccountPromotions(
        long accountId, [AsParameters] PageRequest page, HttpContext http, NpgsqlDataSource database, CatalogueClient catalogues, TimeProvider clock)
    {
        await using var connection = await database.OpenConnectionAsync();
        if (!await Dapper.SqlMapper.ExecuteScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE account_id = @accountId)", new { accountId }))
            return TypedResults.NotFound();
        return await PageAsync(await OfferStore.ListOfAccountAsync(connection, accountId, OfferKind.Promotion), PromotionOf, page, http, catalogues, clock);
    }

    private static async Task<Results<Ok<List<TView>>, NotFound, ValidationProblem>> PageAsync<TView>(
        IReadOnlyList<OfferRow> offers, Func<OfferRow, Catalogue, DateOnly, TView> view, PageRequest page, HttpContext http,
        CatalogueClient catalogues, TimeProvider clock)
    {
        var catalogue = await catalogues.GetAsync();
        var today = Today(clock);
        return page.Apply(offers.Select(o => view(o, catalogue, today)), http).Result switch
        {
            Ok<List<TView>> ok => ok,
            ValidationProblem invalid => invalid,
            _ => throw new InvalidOperationException("A page is either a list or a validation problem."),
        };
    }

    private static OfferTerms? TermsOf(Catalogue catalogue, OfferKind kind, string code) => kind == OfferKind.Bonus
        ? catalogue.Bonuses.FirstOrDefault(b => b.Code == code) is { } bonus ? OfferTerms.Of(bonus) : null
        : catalogue.Promotions.FirstOrDefault(p => p.Code == code) is { } promotion ? OfferTerms.Of(promotion) : null;

    private static BonusView BonusOf(OfferRow o, Catalogue catalogue, DateOnly today)
    {
        var bonus = catalogue.Bonuses.FirstOrDefault(b => b.Code == o.Code);
        return new BonusView(o.Id, o.SubscriptionId, o.Code, bonus?.Name, o.StartDate, o.EndDate, OfferRules.StateOn(o.Period, today), bonus?.Allowances, bonus?.Price);
    }

    private static PromotionView PromotionOf(OfferRow o, Catalogue catalogue, DateOnly today)
    {
        var promotion = catalogue.Promotions.FirstOrDefault(p => p.Code == o.Code);
        return new PromotionView(o.Id, o.SubscriptionId, o.Code, promotion?.Name, o.StartDate, o.EndDate, OfferRules.StateOn(o.Period, today),
            promotion?.DiscountPercent, promotion?.DurationMonths);
    }

    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
