using MasStack.Contracts;
using MasStack.Subscription.Features.Offers;
using MasStack.Subscription.Features.Products;
using MasStack.Subscription.Features.Services;
using MasStack.Subscription.Features.WorkOrders;

namespace MasStack.UnitTests.Subscription;

internal static class TestCatalogue
{
    public static CatalogueProduct Product(string code, SubscriptionType type, PaymentType payment, params string[] services) =>
        new(code, code, type, [payment], new Money(10m), new Allowances(), services);

    public static readonly Catalogue Value = new(
        [
            Product("M-S", SubscriptionType.Mobile, PaymentType.Postpaid, "VOICEMAIL", "ROAMING", "MULTISIM"),
            Product("M-L", SubscriptionType.Mobile, PaymentType.Postpaid, "VOICEMAIL"),
            Product("M-XL", SubscriptionType.Mobile, PaymentType.Postpaid),
            Product("P-S", SubscriptionType.Mobile, PaymentType.Prepaid),
            Product("F-1G", SubscriptionType.Internet, PaymentType.Postpaid, "STATIC-IP"),
        ],
        [
            new CatalogueBundle("DUO", "Duo", PaymentType.Postpaid,
                [new BundleSlot(SubscriptionType.Internet, 1, 1, ["F-1G"]), new BundleSlot(SubscriptionType.Mobile, 1, 5, ["M-S", "M-L"])],
                12, new Money(100m), "2026-01"),
        ],
        [
            new CatalogueService("VOICEMAIL", "Voicemail", [SubscriptionType.Mobile], new Money(0m), true),
            new CatalogueService("ROAMING", "Roaming", [SubscriptionType.Mobile], new Money(0m), true),
            new CatalogueService("MULTISIM", "MultiSIM", [SubscriptionType.Mobile], new Money(3m), false),
            new CatalogueService("STATIC-IP", "Static IP", [SubscriptionType.Internet], new Money(6m), false),
        ],
        [new CatalogueBonus("DATA-5GB", "5 GB", [SubscriptionType.Mobile], new Allowances(DataMb: 5120), 30, new Money(5m))],
        [new CataloguePromotion("HALF-3M", "Half price", [SubscriptionType.Mobile], 50m, 3)]);
}

public class ProductRulesTests
{
    private static readonly Catalogue Catalogue = TestCatalogue.Value;

    [Fact]
    public void A_line_may_move_to_the_other_products_of_its_bundle_slot() =>
        Assert.Equal(["M-L"], ProductRules.Alternatives(Catalogue, SubscriptionType.Mobile, "M-S", "DUO", PaymentType.Postpaid).Select(p => p.Code));

    [Fact]
    public void A_product_outside_the_bundle_is_refused_naming_the_bundle() =>
        Assert.Contains("DUO", ProductRules.Refusal(Catalogue, SubscriptionType.Mobile, Catalogue.Product("M-XL")!, "DUO", PaymentType.Postpaid));

    [Fact]
    public void A_product_of_another_type_is_refused() =>
        Assert.Contains("internet product", ProductRules.Refusal(Catalogue, SubscriptionType.Mobile, Catalogue.Product("F-1G")!, "DUO", PaymentType.Postpaid));

    [Fact]
    public void Without_a_known_bundle_the_payment_type_decides() =>
        Assert.Equal(["M-L", "M-XL"], ProductRules.Alternatives(Catalogue, SubscriptionType.Mobile, "M-S", null, PaymentType.Postpaid).Select(p => p.Code));
}

public class ServiceRulesTests
{
    [Fact]
    public void A_line_has_the_services_its_product_allows_on_or_off_as_the_catalogue_says_until_switched()
    {
        var product = TestCatalogue.Value.Product("M-S")!;
        var services = ServiceRules.Of(TestCatalogue.Value, product, new Dictionary<string, bool> { ["ROAMING"] = false });
        Assert.Equal([("VOICEMAIL", true), ("ROAMING", false), ("MULTISIM", false)], services.Select(s => (s.Service.Code, s.Enabled)));
    }

    [Fact]
    public void A_service_the_product_does_not_include_is_not_allowed()
    {
        var catalogue = TestCatalogue.Value;
        Assert.False(ServiceRules.Allows(catalogue.Product("M-L")!, catalogue.Services.Single(s => s.Code == "MULTISIM")));
        Assert.False(ServiceRules.Allows(catalogue.Product("M-S")!, catalogue.Services.Single(s => s.Code == "STATIC-IP")));
    }
}

public class OfferRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 27);
    private static readonly OfferTerms Bonus = OfferTerms.Of(TestCatalogue.Value.Bonuses[0]);
    private static readonly OfferTerms Promotion = OfferTerms.Of(TestCatalogue.Value.Promotions[0]);

    [Fact]
    public void A_bonus_lasts_its_validity_in_days_and_a_promotion_its_months_both_inclusive()
    {
        Assert.Equal(new DateOnly(2026, 12, 26), Bonus.EndDate(Today));
        Assert.Equal(new DateOnly(2027, 2, 26), Promotion.EndDate(Today));
    }

    [Fact]
    public void The_same_offer_twice_over_overlapping_dates_is_a_conflict()
    {
        var held = new[] { new OfferPeriod(Today, Bonus.EndDate(Today)) };
        Assert.Equal(409, OfferRules.Refusal(Bonus, SubscriptionType.Mobile, new OfferPeriod(Today.AddDays(10), Today.AddDays(39)), held, Today)!.Value.Status);
        Assert.Null(OfferRules.Refusal(Bonus, SubscriptionType.Mobile, new OfferPeriod(Today.AddDays(30), Today.AddDays(59)), held, Today));
    }

    [Fact]
    public void An_offer_for_another_kind_of_line_or_starting_in_the_past_is_refused()
    {
        Assert.Equal(422, OfferRules.Refusal(Bonus, SubscriptionType.Internet, new OfferPeriod(Today, Today), [], Today)!.Value.Status);
        Assert.Equal(422, OfferRules.Refusal(Bonus, SubscriptionType.Mobile, new OfferPeriod(Today.AddDays(-1), Today), [], Today)!.Value.Status);
    }

    [Fact]
    public void An_offer_is_scheduled_then_active_then_expired()
    {
        var period = new OfferPeriod(Today, Today.AddDays(2));
        Assert.Equal(OfferState.Scheduled, OfferRules.StateOn(period, Today.AddDays(-1)));
        Assert.Equal(OfferState.Active, OfferRules.StateOn(period, Today.AddDays(2)));
        Assert.Equal(OfferState.Expired, OfferRules.StateOn(period, Today.AddDays(3)));
    }
}
