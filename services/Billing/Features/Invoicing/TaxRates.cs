namespace MasStack.Billing.Features.Invoicing;

/// <summary>
/// The indirect taxes of Spain by the customer's postal code (configuration <c>Billing:Taxes</c>, rates in percent):
/// IGIC in the Canary Islands (35xxx, 38xxx), IPSI in Ceuta (51xxx) and Melilla (52xxx), IVA everywhere else
/// (the peninsula and the Balearic Islands).
/// </summary>
public sealed class TaxRates
{
    public const string Section = "Billing:Taxes";

    public decimal Iva { get; set; } = 21m;
    public decimal Igic { get; set; } = 7m;
    public decimal IpsiCeuta { get; set; } = 4m;
    public decimal IpsiMelilla { get; set; } = 4m;

    public TaxRule For(string postalCode) => postalCode.Length >= 2 ? postalCode[..2] switch
    {
        "35" or "38" => new TaxRule("IGIC", Igic),
        "51" => new TaxRule("IPSI", IpsiCeuta),
        "52" => new TaxRule("IPSI", IpsiMelilla),
        _ => new TaxRule("IVA", Iva),
    } : new TaxRule("IVA", Iva);
}
