using System.Globalization;
using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.Subscription.Features.Termination;

/// <summary>
/// Ending a live line: only an active or barred line is terminated (an in-flight one is cancelled instead; an ended one
/// stays ended), today or on a date up to a year ahead, counted in Spanish calendar days as the contract's terms are. Pure.
/// </summary>
public static class TerminationRules
{
    public const int MaxDaysAhead = 366;

    private static readonly TimeZoneInfo Spain = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");

    /// <summary>The Spanish calendar day of <paramref name="instant"/>: a termination asked at 00:30 in Madrid is for that day.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Spain).DateTime);

    /// <summary>Why the line cannot be terminated in its state (409), or null.</summary>
    public static string? Refusal(SubscriptionStatus status) => status switch
    {
        SubscriptionStatus.Active or SubscriptionStatus.Barred => null,
        SubscriptionStatus.PendingActivation or SubscriptionStatus.PendingPortability =>
            $"The line is {EnumText.Of(status)}, not live yet: an in-flight line is cancelled (POST …/cancellation), not terminated.",
        _ => $"The line is {EnumText.Of(status)}; it has ended already.",
    };

    /// <summary>The requested date (today when none), or why it cannot be used (a 400 about <c>requestedDate</c>).</summary>
    public static (DateOnly? Date, string? Error) RequestedDate(string? text, DateOnly today)
    {
        if (text is null) return (today, null);
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return (null, "A calendar date, yyyy-MM-dd.");
        if (date < today) return (null, $"Today ({today:yyyy-MM-dd}) or later.");
        if (date > today.AddDays(MaxDaysAhead)) return (null, $"At most {MaxDaysAhead} days ahead ({today.AddDays(MaxDaysAhead):yyyy-MM-dd}).");
        return (date, null);
    }

    /// <summary>The early-termination fee charged: the terms' fee while in commitment, nothing after it.</summary>
    public static Money FeeCharged(bool inCommitment, Money termsFee) => inCommitment ? termsFee : termsFee with { Amount = 0m };
}
