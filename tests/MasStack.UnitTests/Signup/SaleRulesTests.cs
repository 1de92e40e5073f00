using MasStack.Contracts;
using MasStack.Signup.Features.Payments;
using MasStack.Signup.Features.Portability;
using MasStack.Signup.Features.Sales;
using MasStack.Signup.Features.SimCards;

namespace MasStack.UnitTests.Signup;

public class BundleRulesTests
{
    private static readonly Catalogue Catalogue = new(
        [
            new CatalogueProduct("FIBER-1G", "Fibra", SubscriptionType.Internet, [PaymentType.Postpaid], new Money(35), new Allowances(), []),
            new CatalogueProduct("MOBILE-50GB", "Móvil", SubscriptionType.Mobile, [PaymentType.Postpaid], new Money(15), new Allowances(), []),
            new CatalogueProduct("PREPAID-5GB", "Prepago", SubscriptionType.Mobile, [PaymentType.Prepaid], new Money(5), new Allowances(), []),
            new CatalogueProduct("TV-BASIC", "TV", SubscriptionType.Tv, [PaymentType.Postpaid], new Money(8), new Allowances(), []),
        ],
        [
            new CatalogueBundle("FIBER-MOBILE", "Fibra + Móvil", PaymentType.Postpaid,
                [new BundleSlot(SubscriptionType.Internet, 1, 1, ["FIBER-1G"]), new BundleSlot(SubscriptionType.Mobile, 1, 2, ["MOBILE-50GB"])],
                12, new Money(150), "2026-01"),
        ], [], [], []);

    private static ValidLine Internet => new(SubscriptionType.Internet, "FIBER-1G", null, null, null);

    private static ValidLine Mobile(string product = "MOBILE-50GB") => new(SubscriptionType.Mobile, product, NumberMode.New, null, null);

    private static Dictionary<string, string[]> Check(IReadOnlyList<ValidLine> lines, IReadOnlyList<SubscriptionType>? existing = null,
        string bundle = "FIBER-MOBILE", PaymentType paymentType = PaymentType.Postpaid) =>
        BundleRules.Check(Catalogue, bundle, paymentType, lines, existing, i => $"lines[{i}].").ToDictionary();

    [Fact]
    public void A_sale_that_fills_every_slot_within_its_limits_fits() => Assert.Empty(Check([Internet, Mobile(), Mobile()]));

    [Fact]
    public void An_unknown_bundle_is_named() => Assert.Contains("bundleCode", Check([Internet], bundle: "NO-SUCH").Keys);

    [Fact]
    public void A_payment_type_other_than_the_bundles_is_named() =>
        Assert.Contains("paymentType", Check([Internet, Mobile()], paymentType: PaymentType.Prepaid).Keys);

    [Fact]
    public void A_product_the_slot_does_not_offer_is_named() => Assert.Contains("lines[1].productCode", Check([Internet, Mobile("PREPAID-5GB")]).Keys);

    [Fact]
    public void An_unknown_product_is_named() => Assert.Contains("lines[1].productCode", Check([Internet, Mobile("NO-SUCH")]).Keys);

    [Fact]
    public void A_line_type_without_a_slot_is_named() =>
        Assert.Contains("lines[2].type", Check([Internet, Mobile(), new ValidLine(SubscriptionType.Tv, "TV-BASIC", null, null, null)]).Keys);

    [Fact]
    public void Too_many_or_too_few_lines_of_a_slot_are_refused()
    {
        Assert.Contains("lines", Check([Internet, Mobile(), Mobile(), Mobile()]).Keys);
        Assert.Contains("lines", Check([Mobile()]).Keys);
    }

    [Fact]
    public void A_line_added_to_an_account_counts_the_lines_it_holds_and_needs_no_minimum()
    {
        Assert.Empty(Check([Mobile()], existing: [SubscriptionType.Internet, SubscriptionType.Mobile]));
        Assert.Contains("lines", Check([Mobile()], existing: [SubscriptionType.Internet, SubscriptionType.Mobile, SubscriptionType.Mobile]).Keys);
        Assert.Empty(Check([Mobile()], existing: []));
    }
}

public class SimActivationRulesTests
{
    [Theory]
    [InlineData("available", "completed", "new", false)]
    [InlineData("active", "completed", "new", false)]
    [InlineData("assigned", "pending", "new", false)]
    [InlineData("assigned", "failed", "new", false)]
    [InlineData("assigned", "completed", "portability", false)]
    [InlineData("replaced", "completed", "new", false)]
    [InlineData("assigned", "completed", "new", true)]
    public void Only_an_assigned_sim_of_a_completed_sale_with_a_new_number_activates(string state, string signup, string mode, bool activates) =>
        Assert.Equal(activates, SimActivationRules.Refusal(state, signup, mode) is null);
}

public class PortabilityStatesTests
{
    [Theory]
    [InlineData("requested", "scheduled", new[] { "donor-validation", "accepted", "scheduled" })]
    [InlineData("donor-validation", "rejected", new[] { "rejected" })]
    [InlineData("accepted", "ported", new[] { "scheduled", "ported" })]
    [InlineData("scheduled", "accepted", new string[0])]
    [InlineData("ported", "cancelled", new string[0])]
    [InlineData("accepted", "accepted", new string[0])]
    public void Each_state_between_is_announced_in_order_and_never_backwards(string current, string next, string[] expected) =>
        Assert.Equal(expected, PortabilityRequests.StepsBetween(current, next));
}

public class SalePaymentTests
{
    [Theory]
    [InlineData(29.90, "EUR", "card", "AUTH-1", null)]
    [InlineData(10, "EUR", "cash", null, null)]
    [InlineData(0, "EUR", "cash", null, "amount.amount")]
    [InlineData(10.005, "EUR", "cash", null, "amount.amount")]
    [InlineData(10, "USD", "cash", null, "amount.currency")]
    [InlineData(10, "EUR", "cheque", null, "method")]
    [InlineData(10, "EUR", "card", null, "reference")]
    public void A_payment_needs_a_positive_euro_amount_a_known_method_and_a_reference_for_cards(
        double amount, string currency, string method, string? reference, string? field)
    {
        var errors = SalePayments.Validate(new PaymentRequest(new Money((decimal)amount, currency), method, reference)).ToDictionary();
        if (field is null) Assert.Empty(errors);
        else Assert.Contains(field, errors.Keys);
    }
}
