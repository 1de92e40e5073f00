using MasStack.Contracts;

namespace MasStack.Billing.Features.Invoicing;

public enum InvoiceLineKind { Fee, Discount, Bonus, Usage, EarlyTermination, Tax, Credit }

/// <summary>One line of an invoice; <see cref="Days"/> and the dates for what is prorated.</summary>
public sealed record InvoiceLine(
    InvoiceLineKind Kind, long? SubscriptionId, string? Code, string Description, DateOnly? From, DateOnly? To, int? Days, decimal Amount);

/// <summary>A product change: <see cref="Code"/> is the line's product from the day after <see cref="ChangedOn"/>.</summary>
public sealed record ProductChange(DateOnly ChangedOn, DateTimeOffset ChangedAt, string Code);

/// <summary>A bonus or promotion of a line; <see cref="Start"/> is null until its addition has arrived.</summary>
public sealed record LineOffer(long OfferId, OfferKind Kind, string Code, DateOnly? Start, DateOnly? End, DateOnly? RemovedOn);

/// <summary>
/// What Billing knows of one line for one period, as the account invoiced sees it: <see cref="Held"/> are the days it held
/// the line (null: always — the line never moved between accounts).
/// </summary>
public sealed record LineFacts(
    long SubscriptionId, string? Number, string ProductCode, DateOnly? ActivatedOn, DateOnly? EndedOn, decimal? EarlyTerminationFee,
    IReadOnlyList<ProductChange> ProductChanges, IReadOnlyList<LineOffer> Offers, decimal Usage, IReadOnlyList<HeldDays>? Held = null)
{
    public bool HeldOn(DateOnly day) => Held is null || Held.Any(h => h.Contains(day));
}

/// <summary>What was left on a line's prepaid balance when it became postpaid, credited to the account that took it.</summary>
public sealed record AccountCredit(long SubscriptionId, string? Number, DateOnly CreditedOn, decimal Amount);

/// <summary>The tax of an address: its name (IVA, IGIC, IPSI) and its rate in percent.</summary>
public sealed record TaxRule(string Name, decimal Rate);

/// <summary>The catalogue's prices, as the rules read them (null for a code the catalogue does not have).</summary>
public sealed record Prices(Func<string, decimal?> ProductFee, Func<string, decimal?> PromotionPercent, Func<string, decimal?> BonusPrice)
{
    public static Prices Of(Catalogue catalogue) => new(
        code => catalogue.Product(code)?.MonthlyFee.Amount,
        code => catalogue.Promotions.FirstOrDefault(p => p.Code == code)?.DiscountPercent,
        code => catalogue.Bonuses.FirstOrDefault(b => b.Code == code)?.Price.Amount);
}

public sealed record InvoiceDraft(IReadOnlyList<InvoiceLine> Lines, TaxRule Tax, decimal Taxable, decimal TaxAmount, decimal Total)
{
    public bool IsEmpty => Lines.All(l => l.Kind == InvoiceLineKind.Tax);
}

/// <summary>
/// The rules of an invoice, pure. For each line and period:
/// <list type="bullet">
/// <item>its monthly fee prorated by the days it was active in the period — from the day it became active to the day it
/// ended, both included — over the days of the month; one line per product per stretch of days: a product change takes
/// effect the day after it (the day of the change is billed at the product the day began with);</item>
/// <item>each promotion a discount of its percentage of the fee of the days it overlaps (its start to its end or its
/// removal, included), per stretch;</item>
/// <item>each priced bonus once, in the period it starts in (unless removed before it started);</item>
/// <item>usage beyond allowance as Consumption charged it; the early-termination fee in the period the line ended.</item>
/// </list>
/// A line that moved between accounts is charged to each for the days it held the line (<see cref="LineFacts.Held"/>): its
/// fees and discounts prorated to those days, a bonus to the account holding it the day the bonus starts, usage and the
/// early-termination fee to the one holding it on its last day in the period. A prepaid balance carried to the account is
/// a credit after the tax (it was paid with its tax already).
/// Rounding, the one rule: every line is rounded to the cent, half away from zero; the tax is the rate applied to the sum
/// of the rounded lines, rounded the same way, and is a line itself; the total is the sum of all lines.
/// </summary>
public static class InvoiceRules
{
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static InvoiceDraft Draft(BillingPeriod period, IEnumerable<LineFacts> lines, Prices prices, TaxRule tax, IEnumerable<AccountCredit>? credits = null)
    {
        var invoiceLines = new List<InvoiceLine>();
        foreach (var line in lines.OrderBy(l => l.SubscriptionId)) invoiceLines.AddRange(LinesOf(period, line, prices));
        var taxable = invoiceLines.Sum(l => l.Amount);
        var taxAmount = Round(taxable * tax.Rate / 100m);
        invoiceLines.Add(new InvoiceLine(InvoiceLineKind.Tax, null, tax.Name, $"{tax.Name} {tax.Rate:0.##} %", null, null, null, taxAmount));
        var credited = 0m;
        foreach (var credit in (credits ?? []).Where(c => BillingPeriod.Of(c.CreditedOn) == period && c.Amount != 0).OrderBy(c => c.SubscriptionId))
        {
            var amount = -Round(credit.Amount);
            credited += amount;
            invoiceLines.Add(new InvoiceLine(InvoiceLineKind.Credit, credit.SubscriptionId, null,
                $"Prepaid balance carried over ({credit.Number ?? $"line {credit.SubscriptionId}"})", credit.CreditedOn, credit.CreditedOn, null, amount));
        }
        return new InvoiceDraft(invoiceLines, tax, taxable, taxAmount, taxable + taxAmount + credited);
    }

    /// <summary>The stretches of days the line was active in the period, each with its product.</summary>
    public static IReadOnlyList<(DateOnly From, DateOnly To, string Product)> Stretches(BillingPeriod period, LineFacts line)
    {
        if (line.ActivatedOn is not { } activated) return [];
        var from = Max(activated, period.Start);
        var to = Min(line.EndedOn ?? period.End, period.End);
        if (from > to) return [];

        // The product of each day: the one the line was created with, then each change's from the day after it.
        var changes = line.ProductChanges.OrderBy(c => c.ChangedAt).ToList();
        var stretches = new List<(DateOnly From, DateOnly To, string Product)>();
        var product = line.ProductCode;
        var start = from;
        foreach (var change in changes)
        {
            var effective = change.ChangedOn.AddDays(1);
            if (effective <= start) { product = change.Code; continue; }
            if (effective > to) break;
            if (change.Code != product)
            {
                stretches.Add((start, effective.AddDays(-1), product));
                start = effective;
            }
            product = change.Code;
        }
        stretches.Add((start, to, product));

        // A product changed and changed back (an undone migration) is one stretch, as if it never changed.
        var merged = new List<(DateOnly From, DateOnly To, string Product)>();
        foreach (var stretch in stretches)
            if (merged.Count > 0 && merged[^1].Product == stretch.Product) merged[^1] = (merged[^1].From, stretch.To, stretch.Product);
            else merged.Add(stretch);
        if (line.Held is null) return merged;
        return [.. merged.SelectMany(s => line.Held.Select(h => (From: Max(s.From, h.From), To: Min(s.To, h.To), s.Product))).Where(s => s.From <= s.To)];
    }

    public static IEnumerable<InvoiceLine> LinesOf(BillingPeriod period, LineFacts line, Prices prices)
    {
        var id = line.SubscriptionId;
        var name = line.Number is null ? $"line {id}" : line.Number;
        foreach (var (from, to, product) in Stretches(period, line))
        {
            var fee = prices.ProductFee(product) ?? throw new UnpricedException($"The product {product} of {name} is not in the catalogue.");
            var days = Days(from, to);
            yield return new InvoiceLine(InvoiceLineKind.Fee, id, product, $"{product} ({name})", from, to, days, Round(Prorate(fee, days, period)));

            foreach (var promotion in line.Offers.Where(o => o.Kind == OfferKind.Promotion && o.Start is not null))
            {
                var start = Max(from, promotion.Start!.Value);
                var end = Min(to, Min(promotion.End ?? to, promotion.RemovedOn ?? to));
                if (start > end) continue;
                var percent = prices.PromotionPercent(promotion.Code)
                    ?? throw new UnpricedException($"The promotion {promotion.Code} of {name} is not in the catalogue.");
                var overlap = Days(start, end);
                yield return new InvoiceLine(InvoiceLineKind.Discount, id, promotion.Code, $"{promotion.Code} -{percent:0.##} % on {product} ({name})",
                    start, end, overlap, -Round(Prorate(fee, overlap, period) * percent / 100m));
            }
        }

        foreach (var bonus in line.Offers.Where(o => o.Kind == OfferKind.Bonus && o.Start is { } s && BillingPeriod.Of(s) == period && line.HeldOn(s)))
        {
            if (bonus.RemovedOn is { } removed && removed < bonus.Start) continue;
            var price = prices.BonusPrice(bonus.Code) ?? throw new UnpricedException($"The bonus {bonus.Code} of {name} is not in the catalogue.");
            yield return new InvoiceLine(InvoiceLineKind.Bonus, id, bonus.Code, $"{bonus.Code} ({name})", bonus.Start, bonus.End, null, Round(price));
        }

        var lastDay = Min(line.EndedOn ?? period.End, period.End);
        if (!line.HeldOn(lastDay)) yield break;
        if (line.Usage != 0)
            yield return new InvoiceLine(InvoiceLineKind.Usage, id, null, $"Usage beyond allowance ({name})", period.Start, period.End, null, Round(line.Usage));

        if (line.EarlyTerminationFee is { } termination and not 0 && line.EndedOn is { } ended && BillingPeriod.Of(ended) == period)
            yield return new InvoiceLine(InvoiceLineKind.EarlyTermination, id, null, $"Early termination within the commitment ({name})",
                ended, ended, null, Round(termination));
    }

    public static decimal Prorate(decimal monthlyFee, int days, BillingPeriod period) => monthlyFee * days / period.Days;

    public static int Days(DateOnly from, DateOnly to) => to.DayNumber - from.DayNumber + 1;

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}

/// <summary>An account whose invoice names a code the catalogue does not price: the account fails, the run goes on.</summary>
public sealed class UnpricedException(string message) : Exception(message);
