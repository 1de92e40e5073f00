using MasStack.Consumption.Features.Rating;
using MasStack.Platform.Calendar;
using MasStack.Platform.Data;
using MasStack.Platform.Workers;

namespace MasStack.Consumption.Features.Limits;

/// <summary>
/// Each billing month starts afresh: a cap reached in an earlier month (by the business calendar) is cleared and Barring
/// lifts its barring. Scheduled and idempotent: one statement clears each line once and stores its event in the same
/// transaction, so instances side by side, or a pass repeated, clear nothing twice. Prepaid balances are not monthly and
/// are left alone.
/// </summary>
public sealed class MonthlyLimitReset(IServiceScopeFactory scopes, BusinessCalendar calendar, ILogger<MonthlyLimitReset> logger)
    : ClaimingWorker<MonthlyLimitReset.Cleared>(logger)
{
    public sealed record Cleared(long SubscriptionId, long AccountId, long UserId, long Version);

    protected override string Name => "monthly limit reset";

    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(2);

    protected override int BatchSize => 500;

    protected override async Task<IReadOnlyList<Cleared>> ClaimAsync(int batchSize, CancellationToken cancellationToken)
    {
        var now = calendar.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var cleared = await db.QueryAsync<Cleared>(
            """
            UPDATE consumption_lines SET limit_reached_period = NULL, limit_version = limit_version + 1
            WHERE subscription_id IN (
                SELECT subscription_id FROM consumption_lines
                WHERE limit_reached_period < @period AND payment_type IS DISTINCT FROM 'prepaid'
                LIMIT @batchSize FOR UPDATE SKIP LOCKED)
            RETURNING subscription_id AS SubscriptionId, account_id AS AccountId, user_id AS UserId, limit_version AS Version
            """,
            new { period = RatingRules.PeriodOf(now), batchSize });
        foreach (var line in cleared)
            await LimitEvents.PublishClearedAsync(db, new LimitLine(line.SubscriptionId, line.AccountId, line.UserId), LimitRules.NewMonth, line.Version, now);
        await db.CommitAsync(cancellationToken);
        return cleared;
    }

    protected override Task HandleAsync(IReadOnlyList<Cleared> claimed, CancellationToken cancellationToken) => Task.CompletedTask;
}
