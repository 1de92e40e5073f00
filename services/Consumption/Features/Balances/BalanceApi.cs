using Dapper;
using MasStack.Consumption.Features.Limits;
using MasStack.Consumption.Features.Rating;
using MasStack.Contracts;
using MasStack.Platform.Calendar;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Consumption.Features.Balances;

/// <summary>One allowance of the month: what the tariff and the bonuses valid today include, what was used, what remains (null when unlimited).</summary>
public sealed record AllowanceView(string Type, string Unit, long? Included, long Used, long? Remaining, bool Unlimited);

public sealed record BalanceView(long SubscriptionId, Money Balance, string Period, IReadOnlyList<AllowanceView> Allowances, bool Exhausted);

public sealed record RechargeRequest(Money? Amount, string? Method);

public sealed record RechargeView(long RechargeId, long SubscriptionId, Money Amount, string Method, Money BalanceAfter, string By, DateTimeOffset RechargedAt);

public static class BalanceApi
{
    public static readonly string[] Methods = ["card", "cash", "voucher", "bank-transfer"];

    /// <summary>Recharge limits where the catalogue gives none.</summary>
    public static readonly RechargeLimits DefaultLimits = new(5m, 150m);

    public static IEndpointRouteBuilder MapBalanceApi(this IEndpointRouteBuilder app)
    {
        var line = app.MapGroup("/api/v1/subscriptions/{subscriptionId:long}").WithTags("Balance");
        line.MapGet("/balance", Get);
        // The catalogue (the tariff's recharge limits) is read before the transaction filter claims the Idempotency-Key and
        // opens the transaction: no transaction waits on the network; the handler then finds it in the client's cache.
        line.MapPost("/recharges", Recharge)
            .AddEndpointFilter(async (context, next) =>
            {
                await context.HttpContext.RequestServices.GetRequiredService<CatalogueClient>().GetAsync(context.HttpContext.RequestAborted);
                return await next(context);
            })
            .Transactional();
        line.MapGet("/recharges", List);
        return app;
    }

    private static async Task<Results<Ok<BalanceView>, NotFound, ProblemHttpResult>> Get(
        long subscriptionId, NpgsqlDataSource database, CatalogueClient catalogues, BusinessCalendar calendar)
    {
        var catalogue = await catalogues.GetAsync();
        await using var connection = await database.OpenSnapshotAsync();
        var line = await connection.QuerySingleOrDefaultAsync<(string? PaymentType, string ProductCode, decimal? Balance, string? Reached)>(
            "SELECT payment_type, product_code, balance, limit_reached_period FROM consumption_lines WHERE subscription_id = @subscriptionId",
            new { subscriptionId });
        if (line.ProductCode is null) return TypedResults.NotFound();
        if (line.PaymentType != "prepaid") return Problems.Conflict("The line is postpaid: it has no prepaid balance.");

        var today = calendar.Today;
        var period = RatingRules.PeriodOf(today);
        var used = (await connection.QueryAsync<(string Type, long Used)>(
                "SELECT type, used FROM allowance_use WHERE subscription_id = @subscriptionId AND period = @period", new { subscriptionId, period }))
            .ToDictionary(u => u.Type, u => u.Used);
        var bonuses = (await connection.QueryAsync<(DateOnly Start, DateOnly End, long? DataMb, int? VoiceMinutes, int? Sms)>(
                "SELECT start_date, end_date, data_mb, voice_minutes, sms FROM line_bonuses WHERE subscription_id = @subscriptionId AND NOT removed",
                new { subscriptionId }))
            .Select(b => new BonusAllowance(b.Start, b.End, new Allowances(b.DataMb, b.VoiceMinutes, b.Sms))).ToList();
        var product = catalogue.Product(line.ProductCode)?.Allowances ?? new Allowances();
        var allowances = new List<AllowanceView>();
        foreach (var (type, unit) in new[] { (UsageType.Voice, "seconds"), (UsageType.Sms, "messages"), (UsageType.Data, "bytes") })
        {
            var included = RatingRules.AllowanceOn(type, today, product, bonuses);
            var usedNow = used.GetValueOrDefault(EnumText.Of(type));
            allowances.Add(new AllowanceView(EnumText.Of(type), unit, included, usedNow, included is { } i ? Math.Max(0, i - usedNow) : null, included is null));
        }
        return TypedResults.Ok(new BalanceView(subscriptionId, new Money(line.Balance ?? 0m), period, allowances, line.Reached is not null));
    }

    /// <summary>
    /// Recharges a prepaid line (201 with the recharge; <c>Idempotency-Key</c> makes a retry safe): the amount within the
    /// product's limits, a known method. A balance that had run out is no longer barred. Postpaid: 409.
    /// </summary>
    private static async Task<Results<Created<RechargeView>, NotFound, ValidationProblem, ProblemHttpResult>> Recharge(
        long subscriptionId, RechargeRequest? request, UnitOfWork db, CatalogueClient catalogues, IdGenerator ids, BusinessCalendar calendar, HttpContext http)
    {
        var errors = new ValidationErrors();
        if (request?.Amount is not { } amount) errors.Add("amount", "The amount {amount, currency} is required.");
        else if (amount.Currency != "EUR") errors.Add("amount.currency", "EUR.");
        else if (amount.Amount != decimal.Round(amount.Amount, 2)) errors.Add("amount.amount", "At most two decimals.");
        if (request?.Method is not { } method || !Methods.Contains(method)) errors.Add("method", $"One of {string.Join(", ", Methods)}.");
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        var catalogue = await catalogues.GetAsync(); // cached by the filter before the transaction opened
        var line = await db.QuerySingleOrDefaultAsync<RechargeLine>(
            """
            SELECT subscription_id AS SubscriptionId, account_id AS AccountId, user_id AS UserId, payment_type AS PaymentType, product_code AS ProductCode,
                   status, balance, balance_version AS BalanceVersion, limit_version AS LimitVersion, limit_reached_period AS ReachedPeriod
            FROM consumption_lines WHERE subscription_id = @subscriptionId FOR UPDATE
            """, new { subscriptionId });
        if (line is null) return TypedResults.NotFound();
        if (line.PaymentType != "prepaid") return Problems.Conflict("The line is postpaid: it cannot be recharged.");
        if (EndedLines.Contains(EnumText.Parse<SubscriptionStatus>(line.Status))) return Problems.Conflict($"The line is {line.Status}: it cannot be recharged.");
        if (await BalanceMigrations.OpenedPendingAsync(db, subscriptionId))
            return Problems.Conflict("The line is migrating to prepaid: its balance can be recharged once the migration has completed.");
        var limits = catalogue.Product(line.ProductCode)?.Recharge ?? DefaultLimits;
        if (request!.Amount!.Amount < limits.Min || request.Amount.Amount > limits.Max)
            return Problems.Refused($"A recharge of this tariff is from {limits.Min:0.00} to {limits.Max:0.00} EUR.", "amount");

        var now = calendar.GetUtcNow();
        var by = Actor.Of(http.Request).ClientId;
        var balance = (line.Balance ?? 0m) + request.Amount.Amount;
        var rechargeId = ids.Next();
        await db.ExecuteAsync(
            """
            UPDATE consumption_lines SET balance = @balance, balance_version = balance_version + 1 WHERE subscription_id = @subscriptionId;
            INSERT INTO recharges (recharge_id, subscription_id, amount, method, balance_after, recharged_by, recharged_at)
            VALUES (@rechargeId, @subscriptionId, @Amount, @Method, @balance, @by, @now)
            """,
            new { balance, subscriptionId, rechargeId, request.Amount.Amount, request.Method, by, now });
        await db.PublishAsync(new BalanceRecharged(rechargeId, subscriptionId, line.AccountId, new Money(request.Amount.Amount), request.Method!,
            new Money(balance), now, line.BalanceVersion + 1));
        var (state, change) = LimitRules.AfterRecharge(new LimitState(null, line.LimitVersion, line.ReachedPeriod, null), balance, RatingRules.PeriodOf(now));
        if (change is not null)
            await LimitEvents.RecordAsync(db, new LimitLine(subscriptionId, line.AccountId, line.UserId), state with { WarnedPeriod = null }, [change], now);

        var view = new RechargeView(rechargeId, subscriptionId, new Money(request.Amount.Amount), request.Method!, new Money(balance), by, Stored(now));
        return TypedResults.Created($"/api/v1/subscriptions/{subscriptionId}/recharges/{rechargeId}", view);
    }

    private static async Task<Results<Ok<List<RechargeView>>, NotFound, ValidationProblem, ProblemHttpResult>> List(
        long subscriptionId, string? startDate, string? endDate, [AsParameters] PageRequest page, NpgsqlDataSource database, BusinessCalendar calendar, HttpContext http)
    {
        var (range, invalid) = DateRange.Read(startDate, endDate, calendar.Today);
        if (range is null) return invalid!;
        await using var connection = await database.OpenConnectionAsync();
        var paymentType = await connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT coalesce(payment_type, '') FROM consumption_lines WHERE subscription_id = @subscriptionId", new { subscriptionId });
        if (paymentType is null) return TypedResults.NotFound();
        if (paymentType != "prepaid") return Problems.Conflict("The line is postpaid: it has no recharges.");
        var recharges = await connection.QueryAsync<RechargeRow>(
            """
            SELECT recharge_id AS RechargeId, subscription_id AS SubscriptionId, amount, method, balance_after AS BalanceAfter, recharged_by AS By,
                   recharged_at AS RechargedAt
            FROM recharges WHERE subscription_id = @subscriptionId AND recharged_at >= @From AND recharged_at < @Until
            ORDER BY recharged_at DESC, recharge_id DESC
            """,
            new { subscriptionId, range.From, range.Until });
        var views = recharges.Select(r => new RechargeView(r.RechargeId, r.SubscriptionId, new Money(r.Amount), r.Method, new Money(r.BalanceAfter), r.By, r.RechargedAt));
        return page.Apply(views, http).Result switch
        {
            Ok<List<RechargeView>> ok => ok,
            ValidationProblem problem => problem,
            var other => throw new InvalidOperationException($"PageRequest answered {other?.GetType().Name}."),
        };
    }

    private sealed record RechargeRow(long RechargeId, long SubscriptionId, decimal Amount, string Method, decimal BalanceAfter, string By, DateTimeOffset RechargedAt);

    private static DateTimeOffset Stored(DateTimeOffset at) => at.AddTicks(-(at.Ticks % 10));

    private sealed record RechargeLine(
        long SubscriptionId, long AccountId, long UserId, string? PaymentType, string ProductCode, string Status, decimal? Balance,
        long BalanceVersion, long LimitVersion, string? ReachedPeriod);
}
