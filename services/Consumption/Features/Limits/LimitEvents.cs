using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.Consumption.Features.Limits;

/// <summary>Who a limit event is about.</summary>
public sealed record LimitLine(long SubscriptionId, long AccountId, long UserId);

public static class LimitEvents
{
    /// <summary>Stores the new limit state and publishes its events, in the caller's transaction.</summary>
    public static async Task RecordAsync(UnitOfWork db, LimitLine line, LimitState state, IEnumerable<LimitChange> changes, DateTimeOffset at)
    {
        var list = changes.ToList();
        if (list.Count == 0) return;
        await db.ExecuteAsync(
            """
            UPDATE consumption_lines SET limit_version = @Version, limit_reached_period = @ReachedPeriod, limit_warned_period = @WarnedPeriod
            WHERE subscription_id = @SubscriptionId
            """,
            new { line.SubscriptionId, state.Version, state.ReachedPeriod, state.WarnedPeriod });
        var limit = new Money(state.Limit ?? 0m);
        foreach (var change in list)
            await (change.Kind switch
            {
                LimitChangeKind.Warned => db.PublishAsync(new ConsumptionLimitWarned(
                    line.SubscriptionId, line.AccountId, line.UserId, change.Period, limit, new Money(change.Spent), at, change.Version)),
                LimitChangeKind.Reached => db.PublishAsync(new ConsumptionLimitReached(
                    line.SubscriptionId, line.AccountId, line.UserId, change.Period, limit, new Money(change.Spent), at, change.Version)),
                _ => db.PublishAsync(new ConsumptionLimitCleared(line.SubscriptionId, line.AccountId, line.UserId, change.Reason!, at, change.Version)),
            });
    }

    public static Task PublishClearedAsync(UnitOfWork db, LimitLine line, string reason, long version, DateTimeOffset at) =>
        db.PublishAsync(new ConsumptionLimitCleared(line.SubscriptionId, line.AccountId, line.UserId, reason, at, version));
}
