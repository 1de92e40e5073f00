using Microsoft.Extensions.Options;

namespace MasStack.Platform.Calendar;

/// <summary>Where the business calendar stands relative to the system clock. Production sets nothing: the offset is zero.</summary>
public sealed class CalendarOptions
{
    public const string Section = "Calendar";

    /// <summary>How far the calendar is ahead of the system clock, e.g. <c>35.00:00:00</c>.</summary>
    public TimeSpan Offset { get; set; }
}

/// <summary>
/// The date business rules go by: billing months, periods that have ended, monthly resets. It is the system clock moved by
/// <c>Calendar:Offset</c>, which tests change while the suite runs (each service reads <c>{Calendar:Directory}/{service}.json</c>,
/// watched, when that directory is configured) so that a month can end without waiting for it. Ids, leases, timeouts and
/// retries stay on <see cref="TimeProvider.System"/>: only what a customer would call "the date" moves.
/// </summary>
public sealed class BusinessCalendar(IOptionsMonitor<CalendarOptions> options) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + options.CurrentValue.Offset;

    /// <summary>Today's date (UTC) by the calendar.</summary>
    public DateOnly Today => DateOnly.FromDateTime(GetUtcNow().UtcDateTime);
}
