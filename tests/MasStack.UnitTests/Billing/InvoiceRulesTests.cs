namespace MasStack.UnitTests.Billing;

using MasStack.Billing.Features.Invoicing;
using MasStack.Contracts;

public class InvoiceRulesTests
{
    private static readonly Dictionary<string, decimal> Fees = new() { ["MOBILE-50GB"] = 15m, ["MOBILE-UNLIMITED"] = 25m, ["FIBER-1G"] = 35m, ["ODD"] = 10m };

    private static readonly Prices Prices = new(
        code => Fees.TryGetValue(code, out var fee) ? fee : null,
        code => code switch { "WELCOME-50-3M" => 50m, "LOYALTY-10-12M" => 10m, _ => null },
        code => code == "DATA-5GB-30D" ? 5m : null);

    private static readonly TaxRule Iva = new("IVA", 21m);

    private static LineFacts Line(
        string product = "MOBILE-50GB", DateOnly? activated = null, DateOnly? ended = null, decimal? fee = null,
        ProductChange[]? changes = null, LineOffer[]? offers = null, decimal usage = 0) =>
        new(1, "+34622000001", product, activated, ended, fee, changes ?? [], offers ?? [], usage);

    private static BillingPeriod Period(int year, int month) => new(year, month);

    [Theory]
    [InlineData(2026, 2, 28)]  // February, 28 days
    [InlineData(2028, 2, 29)]  // February of a leap year
    [InlineData(2026, 11, 30)]
    [InlineData(2026, 12, 31)]
    public void A_line_active_the_whole_month_pays_its_whole_fee_whatever_the_month_s_length(int year, int month, int days)
    {
        var period = Period(year, month);
        Assert.Equal(days, period.Days);
        var lines = InvoiceRules.LinesOf(period, Line(activated: new DateOnly(2025, 1, 10)), Prices).ToList();
        var fee = Assert.Single(lines);
        Assert.Equal(15.00m, fee.Amount);
        Assert.Equal(days, fee.Days);
        Assert.Equal(period.Start, fee.From);
        Assert.Equal(period.End, fee.To);
    }

    [Theory]
    [InlineData(2026, 2, 12, 6.43)]   // 15 × 12 / 28 = 6.428…
    [InlineData(2028, 2, 13, 6.72)]   // 15 × 13 / 29 = 6.724…
    [InlineData(2026, 11, 14, 7.00)]  // 15 × 14 / 30
    [InlineData(2026, 12, 15, 7.26)]  // 15 × 15 / 31 = 7.258…
    public void A_line_activated_on_the_17th_pays_the_days_from_the_17th_to_the_end_included(int year, int month, int days, decimal amount)
    {
        var fee = Assert.Single(InvoiceRules.LinesOf(Period(year, month), Line(activated: new DateOnly(year, month, 17)), Prices));
        Assert.Equal(days, fee.Days);
        Assert.Equal(amount, fee.Amount);
    }

    [Fact]
    public void A_line_ended_mid_month_pays_to_the_day_it_ended_included_and_the_early_termination_fee()
    {
        var lines = InvoiceRules.LinesOf(Period(2026, 11), Line(activated: new DateOnly(2026, 1, 1), ended: new DateOnly(2026, 11, 10), fee: 150m), Prices).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal((InvoiceLineKind.Fee, 10, 5.00m), (lines[0].Kind, lines[0].Days!.Value, lines[0].Amount));
        Assert.Equal((InvoiceLineKind.EarlyTermination, 150.00m), (lines[1].Kind, lines[1].Amount));

        // The fee belongs to the month the line ended in only
        Assert.Empty(InvoiceRules.LinesOf(Period(2026, 12), Line(activated: new DateOnly(2026, 1, 1), ended: new DateOnly(2026, 11, 10), fee: 150m), Prices));
    }

    [Fact]
    public void A_product_change_mid_month_is_two_stretches_the_new_product_from_the_day_after_the_change()
    {
        var change = new ProductChange(new DateOnly(2026, 11, 10), new DateTimeOffset(2026, 11, 10, 9, 0, 0, TimeSpan.Zero), "MOBILE-UNLIMITED");
        var lines = InvoiceRules.LinesOf(Period(2026, 11), Line(activated: new DateOnly(2026, 10, 1), changes: [change]), Prices).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("MOBILE-50GB", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 10), 10, 5.00m),
            (lines[0].Code, lines[0].From!.Value, lines[0].To!.Value, lines[0].Days!.Value, lines[0].Amount));
        Assert.Equal(("MOBILE-UNLIMITED", new DateOnly(2026, 11, 11), new DateOnly(2026, 11, 30), 20, 16.67m),
            (lines[1].Code, lines[1].From!.Value, lines[1].To!.Value, lines[1].Days!.Value, lines[1].Amount));

        // A change in an earlier month is simply the product of this one
        var earlier = change with { ChangedOn = new DateOnly(2026, 10, 20), ChangedAt = new DateTimeOffset(2026, 10, 20, 9, 0, 0, TimeSpan.Zero) };
        var single = Assert.Single(InvoiceRules.LinesOf(Period(2026, 11), Line(activated: new DateOnly(2026, 10, 1), changes: [earlier]), Prices));
        Assert.Equal(("MOBILE-UNLIMITED", 25.00m), (single.Code, single.Amount));
    }

    [Fact]
    public void A_promotion_is_a_discount_of_its_percentage_of_the_fee_of_the_days_it_covers()
    {
        var promotion = new LineOffer(7, OfferKind.Promotion, "WELCOME-50-3M", new DateOnly(2026, 11, 16), new DateOnly(2027, 2, 15), null);
        var lines = InvoiceRules.LinesOf(Period(2026, 11), Line("FIBER-1G", activated: new DateOnly(2026, 1, 1), offers: [promotion]), Prices).ToList();
        Assert.Equal(35.00m, lines[0].Amount);
        var discount = lines[1];
        Assert.Equal(InvoiceLineKind.Discount, discount.Kind);
        Assert.Equal(15, discount.Days);
        Assert.Equal(-8.75m, discount.Amount); // 35 × 15 / 30 × 50 %

        // Removed on the 20th: it covered the 16th to the 20th
        var removed = promotion with { RemovedOn = new DateOnly(2026, 11, 20) };
        Assert.Equal(-2.92m, InvoiceRules.LinesOf(Period(2026, 11), Line("FIBER-1G", activated: new DateOnly(2026, 1, 1), offers: [removed]), Prices).ToList()[1].Amount);
    }

    [Fact]
    public void A_bonus_is_charged_once_in_the_month_it_starts_and_usage_as_Consumption_charged_it()
    {
        var bonus = new LineOffer(8, OfferKind.Bonus, "DATA-5GB-30D", new DateOnly(2026, 11, 25), new DateOnly(2026, 12, 24), null);
        var november = InvoiceRules.LinesOf(Period(2026, 11), Line(activated: new DateOnly(2026, 1, 1), offers: [bonus], usage: 3.456m), Prices).ToList();
        Assert.Equal([InvoiceLineKind.Fee, InvoiceLineKind.Bonus, InvoiceLineKind.Usage], november.Select(l => l.Kind));
        Assert.Equal(5.00m, november[1].Amount);
        Assert.Equal(3.46m, november[2].Amount);
        Assert.DoesNotContain(InvoiceRules.LinesOf(Period(2026, 12), Line(activated: new DateOnly(2026, 1, 1), offers: [bonus]), Prices), l => l.Kind == InvoiceLineKind.Bonus);
    }

    [Theory]
    [InlineData("28013", "IVA", 21)]
    [InlineData("07001", "IVA", 21)]   // Palma: the Balearic Islands pay IVA
    [InlineData("35001", "IGIC", 7)]   // Las Palmas
    [InlineData("38001", "IGIC", 7)]   // Santa Cruz de Tenerife
    [InlineData("51001", "IPSI", 4)]   // Ceuta
    [InlineData("52001", "IPSI", 4)]   // Melilla
    public void The_tax_follows_the_postal_code(string postalCode, string name, decimal rate) =>
        Assert.Equal(new TaxRule(name, rate), new TaxRates().For(postalCode));

    [Fact]
    public void Every_line_is_rounded_half_away_from_zero_the_tax_on_their_sum_and_the_total_is_the_sum_of_the_lines()
    {
        // Three lines of 10 × 1 / 30 = 0.333…: their exact sum is 1.00, the sum of the lines as printed 0.99, and the invoice is what is printed
        Assert.Equal(0.13m, InvoiceRules.Round(0.125m));
        Assert.Equal(-0.13m, InvoiceRules.Round(-0.125m));
        var lines = new[]
        {
            Line("ODD", activated: new DateOnly(2026, 11, 30)) with { SubscriptionId = 1 },  // 0.333… → 0.33
            Line("ODD", activated: new DateOnly(2026, 11, 30)) with { SubscriptionId = 2 },  // 0.33
            Line("ODD", activated: new DateOnly(2026, 11, 30)) with { SubscriptionId = 3 },  // 0.33
        };
        var draft = InvoiceRules.Draft(Period(2026, 11), lines, Prices, Iva);
        Assert.Equal(0.99m, draft.Taxable);
        Assert.Equal(0.21m, draft.TaxAmount); // 0.99 × 21 % = 0.2079
        Assert.Equal(1.20m, draft.Total);
        Assert.Equal(draft.Total, draft.Lines.Sum(l => l.Amount));
        Assert.Equal(InvoiceLineKind.Tax, draft.Lines[^1].Kind);
    }

    [Fact]
    public void A_line_not_active_in_the_period_adds_nothing_and_an_unpriced_product_is_refused()
    {
        Assert.Empty(InvoiceRules.LinesOf(Period(2026, 11), Line(activated: null), Prices));
        Assert.Empty(InvoiceRules.LinesOf(Period(2026, 11), Line(activated: new DateOnly(2026, 12, 1)), Prices));
        Assert.True(InvoiceRules.Draft(Period(2026, 11), [Line(activated: null)], Prices, Iva).IsEmpty);
        Assert.Throws<UnpricedException>(() => InvoiceRules.LinesOf(Period(2026, 11), Line("GONE", activated: new DateOnly(2026, 1, 1)), Prices).ToList());
    }

    [Theory]
    [InlineData("2026-11", true)]
    [InlineData("2026-13", false)]
    [InlineData("2026-1", false)]
    [InlineData("26-11", false)]
    [InlineData("november", false)]
    [InlineData(null, false)]
    public void A_period_is_a_real_month_written_yyyy_MM(string? text, bool valid) => Assert.Equal(valid, BillingPeriod.Parse(text) is not null);

    [Fact]
    public void A_period_has_ended_once_its_last_day_is_over()
    {
        var november = Period(2026, 11);
        Assert.False(november.HasEndedBy(new DateOnly(2026, 11, 30)));
        Assert.True(november.HasEndedBy(new DateOnly(2026, 12, 1)));
    }
}

public class LineHoldingsTests
{
    private static DateOnly Day(int day) => new(2026, 11, day);

    [Fact]
    public void A_line_that_never_moved_is_always_its_account_s_and_never_another_s()
    {
        Assert.Equal(HeldDays.Always, LineHoldings.Of(1, 1, []));
        Assert.Empty(LineHoldings.Of(2, 1, []));
    }

    [Fact]
    public void The_leaving_account_holds_the_line_through_the_day_of_the_move_and_the_target_from_the_day_after()
    {
        LineMove[] moves = [new(5, 1, 2, Day(10))];
        Assert.Equal([new HeldDays(DateOnly.MinValue, Day(10))], LineHoldings.Of(1, 2, moves));
        Assert.Equal([new HeldDays(Day(11), DateOnly.MaxValue)], LineHoldings.Of(2, 2, moves));
    }

    [Fact]
    public void A_move_undone_the_same_day_leaves_the_line_wholly_in_its_account_and_nowhere_else()
    {
        LineMove[] moves = [new(6, 2, 1, Day(10)), new(5, 1, 2, Day(10))];  // ordered by the line's versions, not as listed
        Assert.Equal(HeldDays.Always, LineHoldings.Of(1, 1, moves));
        Assert.Empty(LineHoldings.Of(2, 1, moves));
    }

    [Fact]
    public void A_line_that_moves_away_and_back_on_later_days_is_held_twice()
    {
        LineMove[] moves = [new(5, 1, 2, Day(10)), new(8, 2, 1, Day(20))];
        Assert.Equal([new HeldDays(DateOnly.MinValue, Day(10)), new HeldDays(Day(21), DateOnly.MaxValue)], LineHoldings.Of(1, 1, moves));
        Assert.Equal([new HeldDays(Day(11), Day(20))], LineHoldings.Of(2, 1, moves));
    }
}

public class MovedLineChargesTests
{
    private static readonly Prices Prices = new(code => code switch { "MOBILE-10GB" => 10m, "PREPAID-5GB" => 5m, _ => null }, _ => null, _ => null);
    private static readonly BillingPeriod November = new(2026, 11);
    private static readonly TaxRule Iva = new("IVA", 21m);

    private static LineFacts Line(IReadOnlyList<HeldDays>? held, ProductChange[]? changes = null, decimal usage = 0) =>
        new(1, "+34622000001", "MOBILE-10GB", new DateOnly(2026, 1, 1), null, null, changes ?? [], [], usage, held);

    [Fact]
    public void Each_account_pays_the_days_it_held_the_line_and_together_they_pay_the_month()
    {
        LineMove[] moves = [new(5, 1, 2, new DateOnly(2026, 11, 12))];
        var leaving = Assert.Single(InvoiceRules.LinesOf(November, Line(LineHoldings.Of(1, 2, moves)), Prices));
        var taking = Assert.Single(InvoiceRules.LinesOf(November, Line(LineHoldings.Of(2, 2, moves)), Prices));
        Assert.Equal((12, 4.00m), (leaving.Days!.Value, leaving.Amount));   // 10 × 12 / 30
        Assert.Equal((18, 6.00m), (taking.Days!.Value, taking.Amount));     // 10 × 18 / 30
        Assert.Equal((new DateOnly(2026, 11, 13), November.End), (taking.From!.Value, taking.To!.Value));
    }

    [Fact]
    public void Usage_goes_to_the_account_holding_the_line_at_the_end_of_the_period()
    {
        LineMove[] moves = [new(5, 1, 2, new DateOnly(2026, 11, 12))];
        Assert.DoesNotContain(InvoiceRules.LinesOf(November, Line(LineHoldings.Of(1, 2, moves), usage: 3m), Prices), l => l.Kind == InvoiceLineKind.Usage);
        Assert.Contains(InvoiceRules.LinesOf(November, Line(LineHoldings.Of(2, 2, moves), usage: 3m), Prices), l => l.Kind == InvoiceLineKind.Usage);
    }

    [Fact]
    public void A_product_changed_and_changed_back_the_same_day_is_billed_as_one_stretch()
    {
        var at = new DateTimeOffset(2026, 11, 12, 10, 0, 0, TimeSpan.Zero);
        ProductChange[] changes = [new(new DateOnly(2026, 11, 12), at, "PREPAID-5GB"), new(new DateOnly(2026, 11, 12), at.AddMinutes(1), "MOBILE-10GB")];
        var fee = Assert.Single(InvoiceRules.LinesOf(November, Line(null, changes), Prices));
        Assert.Equal((30, 10.00m), (fee.Days!.Value, fee.Amount));
    }

    [Fact]
    public void A_carried_prepaid_balance_is_a_credit_after_the_tax()
    {
        var draft = InvoiceRules.Draft(November, [Line(null)], Prices, Iva, [new AccountCredit(1, "+34622000001", new DateOnly(2026, 11, 12), 7.5m)]);
        Assert.Equal((10.00m, 2.10m, 4.60m), (draft.Taxable, draft.TaxAmount, draft.Total));
        var credit = draft.Lines[^1];
        Assert.Equal((InvoiceLineKind.Credit, -7.50m), (credit.Kind, credit.Amount));
        Assert.DoesNotContain(InvoiceRules.Draft(new BillingPeriod(2026, 12), [], Prices, Iva, [new AccountCredit(1, null, new DateOnly(2026, 11, 12), 7.5m)])
            .Lines, l => l.Kind == InvoiceLineKind.Credit);
    }
}
