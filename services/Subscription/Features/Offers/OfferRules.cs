using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.Subscription.Features.Offers;

public enum OfferState { Scheduled, Active, Expired }

/// <summary>What the catalogue says about a bonus or promotion, as far as adding it to a line goes.</summary>
public sealed record OfferTerms(OfferKind Kind, string Code, string Name, IReadOnlyList<SubscriptionType> AppliesTo, int ValidityDays, int DurationMonths)
{
    public static OfferTerms Of(CatalogueBonus b) => new(OfferKind.Bonus, b.Code, b.Name, b.AppliesTo, b.ValidityDays, 0);

    public static OfferTerms Of(CataloguePromotion p) => new(OfferKind.Promotion, p.Code, p.Name, p.AppliesTo, 0, p.DurationMonths);

    /// <summary>The last day (inclusive): a bonus lasts its validity in days, a promotion its duration in months.</summary>
    public DateOnly EndDate(DateOnly start) => Kind == OfferKind.Bonus ? start.AddDays(ValidityDays - 1) : start.AddMonths(DurationMonths).AddDays(-1);
}

public sealed record OfferPeriod(DateOnly StartDate, DateOnly EndDate);

public static class OfferRules
{
    public static OfferState StateOn(OfferPeriod period, DateOnly today) =>
        today < period.StartDate ? OfferState.Scheduled : today > period.EndDate ? OfferState.Expired : OfferState.Active;

    /// <summary>Why the offer cannot be added (a 409 conflict with what the line has, or a 422 rule), or null.</summary>
    public static (int Status, string Detail)? Refusal(
        OfferTerms terms, SubscriptionType lineType, OfferPeriod period, IEnumerable<OfferPeriod> sameCodeOnLine, DateOnly today)
    {
        var kind = EnumText.Of(terms.Kind);
        if (!terms.AppliesTo.Contains(lineType))
            return (StatusCodes.Status422UnprocessableEntity, $"The {kind} {terms.Code} is not for {EnumText.Of(lineType)} lines.");
        if (period.StartDate < today) return (StatusCodes.Status422UnprocessableEntity, "An offer cannot start in the past.");
        if (sameCodeOnLine.FirstOrDefault(p => p.StartDate <= period.EndDate && period.StartDate <= p.EndDate) is { } clash)
            return (StatusCodes.Status409Conflict,
                $"The line already has the {kind} {terms.Code} from {clash.StartDate:yyyy-MM-dd} to {clash.EndDate:yyyy-MM-dd}.");
        return null;
    }
}
