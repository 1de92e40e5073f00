using MasStack.Contracts;

namespace MasStack.Account.Features.Terms;

public sealed record TermsView(
    long AccountId,
    string BundleCode,
    string TermsVersion,
    int CommitmentMonths,
    DateOnly StartDate,
    DateOnly? EndDate,
    bool InCommitment,
    int MonthsRemaining,
    Money EarlyTerminationFee,
    Money FullEarlyTerminationFee);

/// <summary>
/// The commitment (permanence) of an account under the terms it accepted: it starts the day they were accepted (the
/// account opened) and lasts their commitment months. Leaving early costs the bundle's fee prorated linearly by the months not yet
/// served (a month started counts as remaining), so it falls to zero when the commitment ends. Pure.
/// </summary>
public static class ContractTerms
{
    public static TermsView Compute(long accountId, AcceptedTerms bundle, DateOnly start, DateOnly today)
    {
        var full = bundle.EarlyTerminationFee;
        if (bundle.CommitmentMonths <= 0)
            return new TermsView(accountId, bundle.BundleCode, bundle.TermsVersion, 0, start, null, false, 0, full with { Amount = 0m }, full);

        var end = start.AddMonths(bundle.CommitmentMonths);
        var remaining = Math.Clamp(bundle.CommitmentMonths - WholeMonthsBetween(start, today), 0, bundle.CommitmentMonths);
        var fee = Math.Round(full.Amount * remaining / bundle.CommitmentMonths, 2, MidpointRounding.AwayFromZero);
        return new TermsView(accountId, bundle.BundleCode, bundle.TermsVersion, bundle.CommitmentMonths, start, end, today < end, remaining,
            full with { Amount = fee }, full);
    }

    /// <summary>Months fully served from <paramref name="start"/> to <paramref name="today"/>: 15 Jan → 14 Feb is 0, → 15 Feb is 1.</summary>
    public static int WholeMonthsBetween(DateOnly start, DateOnly today)
    {
        if (today <= start) return 0;
        var months = (today.Year - start.Year) * 12 + today.Month - start.Month;
        return start.AddMonths(months) > today ? months - 1 : months;
    }
}
