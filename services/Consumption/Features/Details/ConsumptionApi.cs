using Dapper;
using MasStack.Consumption.Features.Rating;
using MasStack.Contracts;
using MasStack.Platform.Calendar;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Consumption.Features.Details;

/// <summary>One rated record: its quantity, the part the allowance covered, the part charged and its price, the part refused.</summary>
public sealed record UsageView(
    string RecordId, string Type, string Destination, DateTimeOffset StartedAt, long Quantity, long FromAllowance, long Charged, Money Charge,
    long Refused, Money RefusedAmount);

/// <summary>The totals of one type over the whole range (every page).</summary>
public sealed record UsageTotal(string Type, int Records, long Quantity, long FromAllowance, long Charged, Money Charge, long Refused, Money RefusedAmount);

public sealed record ConsumptionView(long SubscriptionId, DateOnly StartDate, DateOnly EndDate, IReadOnlyList<UsageTotal> Totals, Money TotalCharge, IReadOnlyList<UsageView> Records);

public static class ConsumptionApi
{
    public static IEndpointRouteBuilder MapConsumptionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/subscriptions/{subscriptionId:long}/consumption", Get).WithTags("Consumption");
        return app;
    }

    /// <summary>The line's records that started in the range (by UTC day), oldest first, paged, with totals per type over the whole range.</summary>
    private static async Task<Results<Ok<ConsumptionView>, NotFound, ValidationProblem>> Get(
        long subscriptionId, string? startDate, string? endDate, string? type, [AsParameters] PageRequest page, NpgsqlDataSource database,
        BusinessCalendar calendar, HttpContext http)
    {
        var (range, invalid) = DateRange.Read(startDate, endDate, calendar.Today);
        if (range is null) return invalid!;
        if (type is not null && (!EnumText.TryParse<UsageType>(type, out var parsed) || !Enum.IsDefined(parsed)))
            return ValidationErrors.For("type", $"One of {EnumText.Choices<UsageType>()}.");
        var pageErrors = new ValidationErrors();
        page.Validate(pageErrors);
        if (!pageErrors.IsEmpty) return TypedResults.ValidationProblem(pageErrors.ToDictionary());

        await using var connection = await database.OpenSnapshotAsync();
        if (!await connection.QuerySingleAsync<bool>("SELECT EXISTS (SELECT 1 FROM consumption_lines WHERE subscription_id = @subscriptionId)", new { subscriptionId }))
            return TypedResults.NotFound();
        var filter = new { subscriptionId, range.From, range.Until, type, offset = page.Offset ?? 0, limit = page.Limit ?? PageRequest.DefaultLimit };
        const string Where = "subscription_id = @subscriptionId AND started_at >= @From AND started_at < @Until AND (@type::text IS NULL OR type = @type::text)";
        var totals = (await connection.QueryAsync<TotalRow>(
            $"""
            SELECT type, count(*)::int AS Records, sum(quantity)::bigint AS Quantity, sum(allowance_quantity)::bigint AS FromAllowance,
                   sum(charged_quantity)::bigint AS Charged, sum(charge) AS Charge, sum(refused_quantity)::bigint AS Refused, sum(refused_amount) AS RefusedAmount
            FROM usage_records WHERE {Where} GROUP BY type ORDER BY type
            """, filter)).ToList();
        var rows = await connection.QueryAsync<RecordRow>(
            $"""
            SELECT record_id AS RecordId, type, destination, started_at AS StartedAt, quantity, allowance_quantity AS FromAllowance,
                   charged_quantity AS Charged, charge, refused_quantity AS Refused, refused_amount AS RefusedAmount
            FROM usage_records WHERE {Where} ORDER BY started_at, record_id OFFSET @offset LIMIT @limit
            """, filter);
        var records = rows.Select(r => new UsageView(r.RecordId, r.Type, r.Destination, r.StartedAt, r.Quantity, r.FromAllowance, r.Charged,
            new Money(r.Charge), r.Refused, new Money(r.RefusedAmount))).ToList();
        http.Response.Headers["X-Total-Count"] = totals.Sum(t => t.Records).ToString();
        http.Response.Headers["X-Result-Count"] = records.Count.ToString();
        return TypedResults.Ok(new ConsumptionView(subscriptionId, range.Start, range.End,
            [.. totals.Select(t => new UsageTotal(t.Type, t.Records, t.Quantity, t.FromAllowance, t.Charged, new Money(t.Charge), t.Refused, new Money(t.RefusedAmount)))],
            new Money(totals.Sum(t => t.Charge)), records));
    }

    private sealed record TotalRow(string Type, int Records, long Quantity, long FromAllowance, long Charged, decimal Charge, long Refused, decimal RefusedAmount);

    private sealed record RecordRow(
        string RecordId, string Type, string Destination, DateTimeOffset StartedAt, long Quantity, long FromAllowance, long Charged, decimal Charge,
        long Refused, decimal RefusedAmount);
}
