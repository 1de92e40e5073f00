namespace MasStack.Contracts;

// The catalogue (MasCatalogue) as Signup serves it at /api/v1/catalogue/…; other services read it over HTTP
// through MasStack.Platform's CatalogueClient. Changed only by addition, like the events.

public sealed record Money(decimal Amount, string Currency = "EUR");

/// <summary>What a product includes each month; null where it does not apply, -1 for unlimited.</summary>
public sealed record Allowances(long? DataMb = null, int? VoiceMinutes = null, int? Sms = null, int? DownloadMbps = null, int? TvChannels = null)
{
    public const int Unlimited = -1;
}

/// <summary>
/// A product of the catalogue. Consumption rates usage beyond <see cref="Allowances"/> at <see cref="UsageRates"/>; a prepaid
/// line opens its balance with <see cref="InitialCredit"/> and is recharged within <see cref="Recharge"/> (all three added
/// later: null where the catalogue gives none).
/// </summary>
public sealed record CatalogueProduct(
    string Code,
    string Name,
    SubscriptionType Type,
    IReadOnlyList<PaymentType> PaymentTypes,
    Money MonthlyFee,
    Allowances Allowances,
    IReadOnlyList<string> Services,
    UsageRates? UsageRates = null,
    Money? InitialCredit = null,
    RechargeLimits? Recharge = null);

/// <summary>What usage beyond the allowances costs, per unit: voice per minute, SMS per message, data per MB (1,048,576 bytes).</summary>
public sealed record UsageRates(DestinationRates Voice, DestinationRates Sms, DestinationRates Data);

/// <summary>A rate per destination of the usage: national, international, roaming, premium-rate numbers.</summary>
public sealed record DestinationRates(decimal National, decimal International, decimal Roaming, decimal Premium);

/// <summary>The smallest and the largest recharge of a prepaid line, in euros.</summary>
public sealed record RechargeLimits(decimal Min, decimal Max);

/// <summary>How many lines of one subscription type a bundle holds, and with which products.</summary>
public sealed record BundleSlot(SubscriptionType Type, int MinLines, int MaxLines, IReadOnlyList<string> Products);

/// <summary>
/// A bundle's terms as the customer accepted them (at the sale, or a bundle change): frozen from then on, whatever the
/// catalogue says later.
/// </summary>
public sealed record AcceptedTerms(string BundleCode, string TermsVersion, int CommitmentMonths, Money EarlyTerminationFee)
{
    public static AcceptedTerms Of(CatalogueBundle bundle) => new(bundle.Code, bundle.TermsVersion, bundle.CommitmentMonths, bundle.EarlyTerminationFee);
}

public sealed record CatalogueBundle(
    string Code,
    string Name,
    PaymentType PaymentType,
    IReadOnlyList<BundleSlot> Slots,
    int CommitmentMonths,
    Money EarlyTerminationFee,
    string TermsVersion)
{
    /// <summary>The slot for lines of <paramref name="type"/>, or null when the bundle holds none.</summary>
    public BundleSlot? SlotFor(SubscriptionType type) => Slots.FirstOrDefault(s => s.Type == type);

    /// <summary>Whether the bundle offers <paramref name="productCode"/> on its lines of <paramref name="type"/>.</summary>
    public bool Offers(SubscriptionType type, string productCode) => SlotFor(type)?.Products.Contains(productCode) == true;

    /// <summary>
    /// The one rule of a bundle's composition, for Signup (a sale, a line added) and Account (a change of bundle): each
    /// type of line that does not fit — no slot for it, more lines than its slot holds, or, when <paramref name="minimums"/>,
    /// fewer than it needs. The bundle's slots in their order, then the types it has no slot for.
    /// </summary>
    public IReadOnlyList<SlotMisfit> Misfits(IEnumerable<SubscriptionType> lines, bool minimums)
    {
        var counts = lines.GroupBy(type => type).ToDictionary(g => g.Key, g => g.Count());
        var misfits = new List<SlotMisfit>();
        foreach (var slot in Slots)
        {
            var count = counts.GetValueOrDefault(slot.Type);
            if (count > slot.MaxLines) misfits.Add(new(slot.Type, SlotFit.TooMany, count, slot));
            else if (minimums && count < slot.MinLines) misfits.Add(new(slot.Type, SlotFit.TooFew, count, slot));
        }
        foreach (var (type, count) in counts.Where(c => SlotFor(c.Key) is null).OrderBy(c => c.Key))
            misfits.Add(new(type, SlotFit.NoSlot, count, null));
        return misfits;
    }
}

public enum SlotFit { NoSlot, TooMany, TooFew }

/// <summary>How the <paramref name="Lines"/> lines of one type do not fit a bundle (<paramref name="Slot"/>: null for no slot).</summary>
public sealed record SlotMisfit(SubscriptionType Type, SlotFit Fit, int Lines, BundleSlot? Slot);

public sealed record CatalogueService(string Code, string Name, IReadOnlyList<SubscriptionType> AppliesTo, Money MonthlyFee, bool OnByDefault);

public sealed record CatalogueBonus(
    string Code, string Name, IReadOnlyList<SubscriptionType> AppliesTo, Allowances Allowances, int ValidityDays, Money Price);

public sealed record CataloguePromotion(
    string Code, string Name, IReadOnlyList<SubscriptionType> AppliesTo, decimal DiscountPercent, int DurationMonths);

public sealed record Catalogue(
    IReadOnlyList<CatalogueProduct> Products,
    IReadOnlyList<CatalogueBundle> Bundles,
    IReadOnlyList<CatalogueService> Services,
    IReadOnlyList<CatalogueBonus> Bonuses,
    IReadOnlyList<CataloguePromotion> Promotions)
{
    public CatalogueProduct? Product(string code) => Products.FirstOrDefault(p => p.Code == code);

    public CatalogueBundle? Bundle(string code) => Bundles.FirstOrDefault(b => b.Code == code);
}
