namespace MasStack.UnitTests.Consumption;

using MasStack.Consumption.Features.Limits;
using MasStack.Consumption.Features.Rating;
using MasStack.Contracts;

public class RatingRulesTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 10, 9, 0, 0, TimeSpan.Zero);

    // Voice 0.05/min national, 0.40 international; SMS 0.09; data 0.005/MB national.
    private static readonly UsageRates Rates = new(new(0.05m, 0.40m, 0.05m, 1.20m), new(0.09m, 0.25m, 0.09m, 0.90m), new(0.005m, 0.30m, 0.005m, 0.005m));

    private static LineTariff Line(Allowances allowances, PaymentType paymentType = PaymentType.Postpaid, decimal? balance = null, decimal? cap = null,
        IReadOnlyList<BonusAllowance>? bonuses = null, Dictionary<string, decimal>? spent = null) =>
        new(1, paymentType, allowances, Rates, bonuses ?? [], balance, cap, spent ?? []);

    private static UsageRecord Record(string id, UsageType type, long quantity, Destination destination = Destination.National, int minute = 0) =>
        new(id, 1, type, destination, Day.AddMinutes(minute), quantity);

    [Fact]
    public void Usage_draws_on_the_allowance_first_and_the_rest_is_charged_at_the_rate()
    {
        // 10 minutes included, 15 used in two calls: the second call is half covered
        var (rated, _) = RatingRules.Rate(Line(new Allowances(VoiceMinutes: 10)),
            [Record("a", UsageType.Voice, 300), Record("b", UsageType.Voice, 600, minute: 1)], []);

        Assert.Equal((300L, 0L, 0m), (rated[0].AllowanceQuantity, rated[0].ChargedQuantity, rated[0].Charge));
        Assert.Equal((300L, 300L, 0.25m), (rated[1].AllowanceQuantity, rated[1].ChargedQuantity, rated[1].Charge)); // 5 min × 0.05
    }

    [Fact]
    public void International_usage_is_always_charged_and_unlimited_allowances_cover_the_rest()
    {
        var (rated, _) = RatingRules.Rate(Line(new Allowances(VoiceMinutes: Allowances.Unlimited)),
            [Record("a", UsageType.Voice, 6000), Record("b", UsageType.Voice, 60, Destination.International, minute: 1)], []);
        Assert.Equal(0m, rated[0].Charge);
        Assert.Equal(0.40m, rated[1].Charge);
    }

    [Fact]
    public void A_bonus_adds_its_allowance_only_on_the_days_it_is_valid()
    {
        var bonus = new BonusAllowance(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 10), new Allowances(DataMb: 1));
        var (rated, _) = RatingRules.Rate(Line(new Allowances(DataMb: 0), bonuses: [bonus]),
            [Record("in", UsageType.Data, RatingRules.BytesPerMb), new UsageRecord("after", 1, UsageType.Data, Destination.National, Day.AddDays(1), RatingRules.BytesPerMb)], []);
        Assert.Equal(RatingRules.BytesPerMb, rated[0].AllowanceQuantity);
        Assert.Equal(0, rated[1].AllowanceQuantity);
        Assert.Equal(0.01m, rated[1].Charge); // 0.005 rounds half away from zero
    }

    [Theory]
    [InlineData(0.005, 0.01)]
    [InlineData(0.0049, 0.00)]
    [InlineData(0.015, 0.02)]
    [InlineData(0.025, 0.03)] // not to even: banker's rounding would give 0.02
    [InlineData(1.234999, 1.23)]
    public void Each_record_is_rounded_to_the_cent_half_away_from_zero(double raw, double expected) =>
        Assert.Equal((decimal)expected, RatingRules.Round((decimal)raw));

    [Fact]
    public void Totals_are_sums_of_rounded_records_not_a_rounded_sum()
    {
        // Three SMS-like records of 0.005 each: each rounds to 0.01, so three cost 0.03 (not round(0.015) = 0.02)
        var rates = Rates with { Data = new(0.005m, 0.005m, 0.005m, 0.005m) };
        var line = Line(new Allowances(DataMb: 0)) with { Rates = rates };
        var (rated, _) = RatingRules.Rate(line, [.. Enumerable.Range(0, 3).Select(i => Record($"r{i}", UsageType.Data, RatingRules.BytesPerMb, minute: i))], []);
        Assert.Equal(0.03m, rated.Sum(r => r.Charge));
    }

    [Fact]
    public void A_prepaid_balance_pays_what_it_can_and_the_rest_is_refused()
    {
        // 1.00 of balance, calls at 0.05/min beyond a zero allowance: 10 min cost 0.50, the next 20 min cost 1.00 of which 0.50 is paid
        var (rated, left) = RatingRules.Rate(Line(new Allowances(VoiceMinutes: 0), PaymentType.Prepaid, balance: 1.00m),
            [Record("a", UsageType.Voice, 600), Record("b", UsageType.Voice, 1200, minute: 1), Record("c", UsageType.Voice, 60, minute: 2)], []);
        Assert.Equal(0m, left);
        Assert.Equal((0.50m, 0m), (rated[0].Charge, rated[0].RefusedAmount));
        Assert.Equal((0.50m, 0.50m, 600L, 600L), (rated[1].Charge, rated[1].RefusedAmount, rated[1].ChargedQuantity, rated[1].RefusedQuantity));
        Assert.Equal((0m, 0.05m, 60L), (rated[2].Charge, rated[2].RefusedAmount, rated[2].RefusedQuantity));
    }

    [Fact]
    public void A_record_crossing_the_cap_is_split_exactly_at_the_cap()
    {
        var (rated, left) = RatingRules.Rate(Line(new Allowances(Sms: 0), cap: 1.00m, spent: new() { ["2026-11"] = 0.82m }),
            [.. Enumerable.Range(0, 3).Select(i => Record($"s{i}", UsageType.Sms, 1, minute: i))], []);
        Assert.Null(left);
        Assert.Equal([0.09m, 0.09m, 0m], rated.Select(r => r.Charge));
        Assert.Equal(1.00m, 0.82m + rated.Sum(r => r.Charge));
        Assert.Equal(0.09m, rated[2].RefusedAmount);
    }

    [Fact]
    public void Allowances_are_counted_per_month()
    {
        var used = new Dictionary<(string, UsageType), long> { [("2026-10", UsageType.Sms)] = 100 };
        var (rated, _) = RatingRules.Rate(Line(new Allowances(Sms: 100)), [Record("nov", UsageType.Sms, 1)], used);
        Assert.Equal(1, rated[0].AllowanceQuantity);
        Assert.Equal(1, used[("2026-11", UsageType.Sms)]);
    }
}

public class LimitRulesTests
{
    [Fact]
    public void Eighty_percent_warns_once_a_month_and_a_hundred_percent_reaches_once()
    {
        var state = new LimitState(10m, 0, null, null);
        var (warned, changes) = LimitRules.AfterSpending(state, "2026-11", 8m);
        Assert.Equal([LimitChangeKind.Warned], changes.Select(c => c.Kind));
        var (again, none) = LimitRules.AfterSpending(warned, "2026-11", 9m);
        Assert.Empty(none);
        var (reached, reach) = LimitRules.AfterSpending(again, "2026-11", 10m);
        Assert.Equal(LimitChangeKind.Reached, reach.Single().Kind);
        Assert.Equal(2, reach.Single().Version);
        Assert.Empty(LimitRules.AfterSpending(reached, "2026-11", 12m).Changes);
        Assert.Equal([LimitChangeKind.Warned], LimitRules.AfterSpending(reached with { ReachedPeriod = null }, "2026-12", 8m).Changes.Select(c => c.Kind));
    }

    [Fact]
    public void Raising_above_the_spending_or_deleting_clears_at_once_and_lowering_below_it_reaches()
    {
        var reached = new LimitState(10m, 2, "2026-11", "2026-11");
        Assert.Equal(LimitRules.Raised, LimitRules.AfterLimitSet(reached, 20m, "2026-11", 10m).Changes.Single().Reason);
        Assert.Equal(LimitRules.Deleted, LimitRules.AfterLimitSet(reached, null, "2026-11", 10m).Changes.Single().Reason);
        Assert.Empty(LimitRules.AfterLimitSet(reached, 10m, "2026-11", 10m).Changes); // not above what is spent: still reached
        var lowered = LimitRules.AfterLimitSet(new LimitState(50m, 0, null, null), 5m, "2026-11", 6m);
        Assert.Equal([LimitChangeKind.Warned, LimitChangeKind.Reached], lowered.Changes.Select(c => c.Kind));
        Assert.True(LimitRules.ClearsForNewMonth(reached, "2026-12"));
        Assert.False(LimitRules.ClearsForNewMonth(reached, "2026-11"));
    }

    [Fact]
    public void A_prepaid_balance_that_runs_out_is_reached_and_a_recharge_clears_it()
    {
        var (empty, reached) = LimitRules.AfterPrepaidUsage(new LimitState(null, 0, null, null), 0m, charged: true, "2026-11");
        Assert.Equal(LimitChangeKind.Reached, reached!.Kind);
        Assert.Null(LimitRules.AfterPrepaidUsage(empty, 0m, charged: true, "2026-11").Change);
        Assert.Null(LimitRules.AfterPrepaidUsage(new LimitState(null, 0, null, null), 0m, charged: false, "2026-11").Change);
        Assert.Equal(LimitRules.Recharged, LimitRules.AfterRecharge(empty, 5m, "2026-11").Change!.Reason);
    }
}

public class PrepaidSignupStepsTests
{
    [Fact]
    public void A_prepaid_sale_waits_for_each_line_s_balance_and_a_postpaid_one_does_not()
    {
        MasStack.Contracts.SignupLine[] lines = [new(7, SubscriptionType.Mobile, "PREPAID-5GB", NumberMode.New, "+34622000001", null)];
        Assert.Contains(SignupSteps.Consumption(7), MasStack.Signup.Features.Sales.SignupProgress.StepsFor(lines, PaymentType.Prepaid));
        Assert.DoesNotContain(SignupSteps.Consumption(7), MasStack.Signup.Features.Sales.SignupProgress.StepsFor(lines, PaymentType.Postpaid));
    }
}
