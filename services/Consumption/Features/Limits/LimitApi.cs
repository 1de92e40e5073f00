using Dapper;
using MasStack.Consumption.Features.Rating;
using MasStack.Contracts;
using MasStack.Platform.Calendar;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Consumption.Features.Limits;

/// <summary>A postpaid line's monthly spending cap (null: none), what it spent this month beyond its allowances, and whether it was warned or is barred.</summary>
public sealed record LimitView(long SubscriptionId, Money? Limit, string Period, Money Spent, bool Warned, bool Reached);

public static class LimitApi
{
    public static IEndpointRouteBuilder MapLimitApi(this IEndpointRouteBuilder app)
    {
        var limit = app.MapGroup("/api/v1/subscriptions/{subscriptionId:long}/consumption-limit").WithTags("Consumption limit");
        limit.MapGet("", Get);
        limit.MapPut("", Put).Transactional();
        limit.MapDelete("", Delete).Transactional();
        return app;
    }

    private static async Task<Results<Ok<LimitView>, NotFound, ProblemHttpResult>> Get(long subscriptionId, NpgsqlDataSource database, BusinessCalendar calendar)
    {
        await using var connection = await database.OpenConnectionAsync();
        var period = RatingRules.PeriodOf(calendar.Today);
        var line = await connection.QuerySingleOrDefaultAsync<LimitRow>(LimitRow.Sql, new { subscriptionId, period });
        if (line is null) return TypedResults.NotFound();
        if (line.PaymentType == "prepaid") return Problems.Conflict("The line is prepaid: its balance is its limit.");
        return TypedResults.Ok(line.View(period) with { SubscriptionId = subscriptionId });
    }

    /// <summary>Sets the cap (<c>{"amount": 50.00, "currency": "EUR"}</c>): above what is spent, a reached limit is lifted at once; at or below it, reached at once.</summary>
    private static async Task<Results<Ok<LimitView>, NotFound, ValidationProblem, ProblemHttpResult>> Put(
        long subscriptionId, Money? request, UnitOfWork db, BusinessCalendar calendar)
    {
        if (request is null || request.Amount <= 0 || request.Amount > 100_000m || request.Amount != decimal.Round(request.Amount, 2))
            return ValidationErrors.For("amount", "A positive amount in euros with at most two decimals.");
        if (request.Currency != "EUR") return ValidationErrors.For("currency", "EUR.");
        return await ChangeAsync(subscriptionId, request.Amount, db, calendar);
    }

    private static async Task<Results<Ok<LimitView>, NotFound, ValidationProblem, ProblemHttpResult>> Delete(
        long subscriptionId, UnitOfWork db, BusinessCalendar calendar) => await ChangeAsync(subscriptionId, null, db, calendar);

    private static async Task<Results<Ok<LimitView>, NotFound, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        long subscriptionId, decimal? limit, UnitOfWork db, BusinessCalendar calendar)
    {
        var now = calendar.GetUtcNow();
        var period = RatingRules.PeriodOf(now);
        var line = await db.QuerySingleOrDefaultAsync<LimitRow>(LimitRow.Sql + " FOR UPDATE OF l", new { subscriptionId, period });
        if (line is null) return TypedResults.NotFound();
        if (line.PaymentType == "prepaid") return Problems.Conflict("The line is prepaid: its balance is its limit.");
        if (EndedLines.Contains(EnumText.Parse<SubscriptionStatus>(line.Status))) return Problems.Conflict($"The line is {line.Status}.");

        var (state, changes) = LimitRules.AfterLimitSet(line.State, limit, period, line.Spent);
        await db.ExecuteAsync("UPDATE consumption_lines SET limit_amount = @limit WHERE subscription_id = @subscriptionId", new { limit, subscriptionId });
        await LimitEvents.RecordAsync(db, new LimitLine(subscriptionId, line.AccountId, line.UserId), state, changes, now);
        return TypedResults.Ok((line with { LimitAmount = state.Limit, LimitReachedPeriod = state.ReachedPeriod, LimitWarnedPeriod = state.WarnedPeriod }).View(period) with { SubscriptionId = subscriptionId });
    }

    private sealed record LimitRow(
        long AccountId, long UserId, string? PaymentType, string Status, decimal? LimitAmount, long LimitVersion,
        string? LimitReachedPeriod, string? LimitWarnedPeriod, decimal Spent)
    {
        public const string Sql =
            """
            SELECT l.account_id AS AccountId, l.user_id AS UserId, l.payment_type AS PaymentType, l.status, l.limit_amount AS LimitAmount,
                   l.limit_version AS LimitVersion, l.limit_reached_period AS LimitReachedPeriod, l.limit_warned_period AS LimitWarnedPeriod,
                   coalesce(m.spent, 0) AS Spent
            FROM consumption_lines l LEFT JOIN usage_months m ON m.subscription_id = l.subscription_id AND m.period = @period
            WHERE l.subscription_id = @subscriptionId
            """;

        public LimitState State => new(LimitAmount, LimitVersion, LimitReachedPeriod, LimitWarnedPeriod);

        public LimitView View(string period) => new(0, LimitAmount is { } amount ? new Money(amount) : null, period, new Money(Spent),
            LimitWarnedPeriod == period, LimitReachedPeriod is not null);
    }
}
