namespace MasStack.Contracts;

// The catalogue (MasCatalogue) as Signup serves it at /api/v1/catalogue/…; other services read it over HTTP
// through MasStack.Platform's CatalogueClient. Changed only by addition, like the events.

public sealed record Money(decimal Amount, string Currency = "EUR");

/// <summary>What a product includes each month; null where it does not apply, -1 for unlimited.</summary>
public sealed record Allowances(long? DataMb = null, int? VoiceMinutes = null, int? Sms = null, int? DownloadMbps = null, int? TvChannels = null)
{
    public const int Unlimited = -1;
}

public sealed record CatalogueProduct(
    string Code,
    string Name,
    SubscriptionType Type,
    IReadOnlyList<PaymentType> PaymentTypes,
    Money MonthlyFee,
    Allowances Allowances,
    IReadOnlyList<string> Services);

/// <summary>How many lines of one subscription type a bundle holds, and with which products.</summary>
public sealed record BundleSlot(SubscriptionType Type, int MinLines, int MaxLines, IReadOnlyList<string> Products);

public sealed record CatalogueBundle(
    string Code,
    string Name,
    PaymentType PaymentType,
    IReadOnlyList<BundleSlot> Slots,
    int CommitmentMonths,
    Money EarlyTerminationFee,
    string TermsVersion);

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
