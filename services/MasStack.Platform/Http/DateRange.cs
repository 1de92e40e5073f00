using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Platform.Http;

/// <summary>
/// A <c>startDate</c>/<c>endDate</c> range of a query as conventions.md sets it: <c>yyyy-MM-dd</c>, both days included, at
/// most <see cref="MaxDays"/> days, and a start after the end is a 400. <see cref="From"/> and <see cref="Until"/> bound it in
/// UTC (<c>from &lt;= t &lt; until</c>).
/// </summary>
public sealed record DateRange(DateOnly Start, DateOnly End)
{
    public const int MaxDays = 366;

    public DateTimeOffset From => new(Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset Until => new(End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The range asked for; a missing start is the first of <paramref name="today"/>'s month, a missing end today.</summary>
    public static (DateRange? Range, ValidationProblem? Problem) Read(string? startDate, string? endDate, DateOnly today)
    {
        var errors = new ValidationErrors();
        var start = Parse(startDate, "startDate", new DateOnly(today.Year, today.Month, 1), errors);
        var end = Parse(endDate, "endDate", today, errors);
        if (errors.IsEmpty && start > end) errors.Add("startDate", "The start date is after the end date.");
        else if (errors.IsEmpty && end.DayNumber - start.DayNumber + 1 > MaxDays) errors.Add("endDate", $"A range is at most {MaxDays} days, both included.");
        return errors.IsEmpty ? (new DateRange(start, end), null) : (null, TypedResults.ValidationProblem(errors.ToDictionary()));
    }

    private static DateOnly Parse(string? text, string field, DateOnly fallback, ValidationErrors errors) =>
        ReadDate(text, field, errors) ?? fallback;

    /// <summary>An optional <c>yyyy-MM-dd</c> query parameter: null when absent; when malformed, null and an error naming <paramref name="field"/>.</summary>
    public static DateOnly? ReadDate(string? text, string field, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        errors.Add(field, "A date yyyy-MM-dd.");
        return null;
    }
}
