using MasStack.Contracts;

namespace MasStack.UnitTests.Contracts;

/// <summary>The one rule of a bundle's composition that Signup and Account both apply.</summary>
public class BundleCompositionTests
{
    private static readonly CatalogueBundle FiberMobile = new("FIBER-MOBILE", "Fibra y móvil", PaymentType.Postpaid,
        [new BundleSlot(SubscriptionType.Internet, 1, 1, ["FIBER-1G"]), new BundleSlot(SubscriptionType.Mobile, 1, 3, ["MOBILE-10GB"])],
        12, new Money(150m), "2026-01");

    private const SubscriptionType Internet = SubscriptionType.Internet;
    private const SubscriptionType Mobile = SubscriptionType.Mobile;

    [Fact]
    public void Lines_within_every_slot_fit() =>
        Assert.Empty(FiberMobile.Misfits([Internet, Mobile, Mobile, Mobile], minimums: true));

    [Fact]
    public void Too_many_lines_of_a_type_and_a_type_without_a_slot_do_not_fit() =>
        Assert.Equal(
            [new SlotMisfit(Mobile, SlotFit.TooMany, 4, FiberMobile.Slots[1]), new SlotMisfit(SubscriptionType.Tv, SlotFit.NoSlot, 1, null)],
            FiberMobile.Misfits([Internet, Mobile, Mobile, Mobile, Mobile, SubscriptionType.Tv], minimums: false));

    [Fact]
    public void A_missing_minimum_counts_only_when_asked()
    {
        Assert.Equal([new SlotMisfit(Internet, SlotFit.TooFew, 0, FiberMobile.Slots[0])], FiberMobile.Misfits([Mobile], minimums: true));
        Assert.Empty(FiberMobile.Misfits([Mobile], minimums: false));
    }

    [Fact]
    public void A_bundle_offers_only_its_slots_products()
    {
        Assert.True(FiberMobile.Offers(Mobile, "MOBILE-10GB"));
        Assert.False(FiberMobile.Offers(Mobile, "FIBER-1G"));
        Assert.False(FiberMobile.Offers(SubscriptionType.Tv, "TV-BASIC"));
    }
}
