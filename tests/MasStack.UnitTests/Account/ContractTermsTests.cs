using MasStack.Account.Features.Terms;
using MasStack.Contracts;

namespace MasStack.UnitTests.Account;

public class ContractTermsTests
{
    private static readonly CatalogueBundle TwelveMonths = new(
        "FIBER-MOBILE", "Fibra + Móvil", PaymentType.Postpaid, [], 12, new Money(150m), "2026-01");

    private static readonly DateOnly Start = new(2026, 1, 15);

    [Theory]
    [InlineData("2026-01-15", 12, 150.00)]
    [InlineData("2026-02-14", 12, 150.00)]
    [InlineData("2026-02-15", 11, 137.50)]
    [InlineData("2026-07-20", 6, 75.00)]
    [InlineData("2026-12-15", 1, 12.50)]
    [InlineData("2027-01-14", 1, 12.50)]
    [InlineData("2027-01-15", 0, 0.00)]
    [InlineData("2030-01-01", 0, 0.00)]
    public void The_fee_falls_linearly_with_the_months_served(string today, int monthsRemaining, decimal fee)
    {
        var terms = ContractTerms.Compute(7, AcceptedTerms.Of(TwelveMonths), Start, DateOnly.Parse(today));

        Assert.Equal(monthsRemaining, terms.MonthsRemaining);
        Assert.Equal(new Money(fee), terms.EarlyTerminationFee);
        Assert.Equal(new Money(150m), terms.FullEarlyTerminationFee);
        Assert.Equal(new DateOnly(2027, 1, 15), terms.EndDate);
        Assert.Equal(monthsRemaining > 0, terms.InCommitment);
        Assert.Equal("2026-01", terms.TermsVersion);
    }

    [Fact]
    public void A_bundle_without_commitment_has_no_end_and_no_fee()
    {
        var terms = ContractTerms.Compute(7, AcceptedTerms.Of(TwelveMonths with { CommitmentMonths = 0, EarlyTerminationFee = new Money(0m) }), Start, Start);

        Assert.Null(terms.EndDate);
        Assert.False(terms.InCommitment);
        Assert.Equal(0m, terms.EarlyTerminationFee.Amount);
    }

    [Theory]
    [InlineData("2026-01-31", "2026-02-27", 0)]
    [InlineData("2026-01-31", "2026-02-28", 1)] // a month from the 31st ends on the last day of a shorter month
    [InlineData("2026-01-31", "2026-03-30", 1)]
    [InlineData("2026-01-31", "2026-03-31", 2)]
    [InlineData("2026-03-10", "2026-01-01", 0)]
    public void Whole_months_count_only_months_fully_served(string start, string today, int months) =>
        Assert.Equal(months, ContractTerms.WholeMonthsBetween(DateOnly.Parse(start), DateOnly.Parse(today)));
}
