using MasStack.Account.Features.Bundles;
using MasStack.Contracts;

namespace MasStack.UnitTests.Account;

public class BundleRulesTests
{
    private static readonly string[] Mobiles = ["MOBILE-10GB", "MOBILE-50GB"];

    private static readonly CatalogueBundle MobileOnly = Bundle("MOBILE-POSTPAID", PaymentType.Postpaid,
        new BundleSlot(SubscriptionType.Mobile, 1, 5, Mobiles));

    private static readonly CatalogueBundle FiberMobile = Bundle("FIBER-MOBILE", PaymentType.Postpaid,
        new BundleSlot(SubscriptionType.Internet, 1, 1, ["FIBER-1G"]), new BundleSlot(SubscriptionType.Mobile, 1, 5, Mobiles));

    private static readonly CatalogueBundle FiberMobileTv = Bundle("FIBER-MOBILE-TV", PaymentType.Postpaid,
        new BundleSlot(SubscriptionType.Internet, 1, 1, ["FIBER-1G"]), new BundleSlot(SubscriptionType.Mobile, 1, 5, Mobiles),
        new BundleSlot(SubscriptionType.Tv, 1, 1, ["TV-BASIC"]));

    private static CatalogueBundle Bundle(string code, PaymentType paymentType, params BundleSlot[] slots) =>
        new(code, code, paymentType, slots, 12, new Money(150m), "2026-01");

    private static readonly HeldLine Fiber = new(SubscriptionType.Internet, "FIBER-1G");
    private static readonly HeldLine Mobile = new(SubscriptionType.Mobile, "MOBILE-50GB");

    [Fact]
    public void A_bundle_with_room_for_every_line_and_product_holds_the_account() =>
        Assert.Empty(BundleRules.WhyNot(FiberMobile, PaymentType.Postpaid, [Fiber, Mobile, Mobile]));

    [Fact]
    public void A_bundle_of_the_other_payment_type_does_not() =>
        Assert.Contains(BundleRules.WhyNot(FiberMobile, PaymentType.Prepaid, [Fiber, Mobile]), r => r.Contains("postpaid bundle"));

    [Fact]
    public void A_bundle_without_a_slot_for_a_line_says_which() =>
        Assert.Equal(["It has no internet lines and the account has 1."], BundleRules.WhyNot(MobileOnly, PaymentType.Postpaid, [Fiber, Mobile]));

    [Fact]
    public void A_bundle_with_too_few_places_says_how_many() =>
        Assert.Contains("It holds at most 5 mobile line(s) and the account has 6.",
            BundleRules.WhyNot(FiberMobile, PaymentType.Postpaid, [Fiber, .. Enumerable.Repeat(Mobile, 6)]));

    [Fact]
    public void A_product_the_bundle_does_not_offer_is_named() =>
        Assert.Equal(["It does not offer product MOBILE-UNLIMITED on its mobile lines."],
            BundleRules.WhyNot(MobileOnly, PaymentType.Postpaid, [new HeldLine(SubscriptionType.Mobile, "MOBILE-UNLIMITED")]));

    [Fact]
    public void A_bundle_with_a_slot_the_account_cannot_fill_yet_still_holds_it_and_says_what_to_add()
    {
        Assert.Empty(BundleRules.WhyNot(FiberMobileTv, PaymentType.Postpaid, [Fiber, Mobile]));
        Assert.Equal(["1 tv line(s)"], BundleRules.LinesToAdd(FiberMobileTv, [Fiber, Mobile]));
        Assert.Empty(BundleRules.LinesToAdd(FiberMobile, [Fiber, Mobile]));
    }
}
