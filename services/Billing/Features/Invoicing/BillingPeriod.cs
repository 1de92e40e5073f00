using System.Globalization;

namespace MasStack.Billing.Features.Invoicing;

/// <summary>A billing month, written <c>yyyy-MM</c>; its days run from <see cref="Start"/> to <see cref="End"/> inclusive.</summary>
public readonly record struct BillingPeriod(int Year, int Month)
{
    public DateOnly Start => new(Year, Month, 1);

    public DateOnly End => Start.AddMonths(1).AddDays(-1);

    public int Days => DateTime.DaysInMonth(Year, Month);

    public static BillingPeriod Of(DateOnly date) => new(date.Year, date.Month);

    /// <summary>Null unless exactly <c>yyyy-MM</c> (a real month).</summary>
    public static BillingPeriod? Parse(string? text) =>
        text is { Length: 7 } && DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            ? Of(first)
            : null;

    /// <summary>A period has ended once its last day is over by the business calendar.</summary>
    public bool HasEndedBy(DateOnly today) => End < today;

    public override string ToString() => $"{Year:D4}-{Month:D2}";
}

/// <summary>
/// The date a business rule reads from a moment: the day in Spain's peninsula time (Europe/Madrid), as a customer reading
/// the invoice counts days. Billing's "today" is read the same way from its <c>BusinessCalendar</c>.
/// </summary>
public static class BillingDates
{
    private static readonly TimeZoneInfo Spain = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");

    public static DateOnly Of(DateTimeOffset moment) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(moment, Spain).DateTime);
}
