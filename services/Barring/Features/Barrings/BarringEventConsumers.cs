using MasStack.Barring.Features.Lines;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Barring.Features.Barrings;

// Changes to a line's barrings that other services' events cause: a reached or cleared consumption limit, and a SIM swap
// that ends a block (the new SIM was never lost).

[ConsumerName("consumption-limit-reached")]
public sealed class ConsumptionLimitReachedConsumer(UnitOfWork db) : InboxConsumer<ConsumptionLimitReached>(db)
{
    protected override Task Handle(ConsumptionLimitReached limit, UnitOfWork db, CancellationToken ct) =>
        ConsumptionLimits.ApplyAsync(db, limit.SubscriptionId, limit.Version, limit.ReachedAt, reached: true,
            $"The consumption limit of {limit.Limit.Amount:0.00} {limit.Limit.Currency} for {limit.Period} is reached.");
}

[ConsumerName("consumption-limit-cleared")]
public sealed class ConsumptionLimitClearedConsumer(UnitOfWork db) : InboxConsumer<ConsumptionLimitCleared>(db)
{
    protected override Task Handle(ConsumptionLimitCleared limit, UnitOfWork db, CancellationToken ct) =>
        ConsumptionLimits.ApplyAsync(db, limit.SubscriptionId, limit.Version, limit.ClearedAt, reached: false,
            $"The consumption limit no longer holds ({limit.Reason}).");
}

public static class ConsumptionLimits
{
    /// <summary>Sets or lifts the limit's barring, in the order of the limit's versions; a line no longer live is left alone.</summary>
    public static async Task ApplyAsync(UnitOfWork db, long subscriptionId, long version, DateTimeOffset at, bool reached, string why)
    {
        if (!await EventVersions.AppliesAsync(db, BarringCopies.Line, "limit_version", subscriptionId, version)) return;
        await db.ExecuteAsync(
            "UPDATE barring_lines SET limit_version = greatest(limit_version, @version) WHERE subscription_id = @subscriptionId",
            new { subscriptionId, version });
        var profile = (await BarringProfiles.LoadForUpdateAsync(db, subscriptionId))!;
        if (BarringRules.LineRefusal(profile) is not null) return;
        var change = reached ? BarringRules.ConsumptionLimitReached(profile, at) : BarringRules.ConsumptionLimitCleared(profile, at);
        await BarringProfiles.RecordAsync(db, profile, change.Barrings, profile.Block, change.Changes, why, at);
    }
}

[ConsumerName("sim-replaced")]
public sealed class SimReplacedConsumer(UnitOfWork db) : InboxConsumer<SimReplaced>(db)
{
    protected override async Task Handle(SimReplaced swap, UnitOfWork db, CancellationToken ct)
    {
        if (await BarringProfiles.LoadForUpdateAsync(db, swap.SubscriptionId) is not { } profile)
        {
            // Not known here yet: retried until the line's creation has arrived, unless the line was removed on purpose.
            await EventVersions.AppliesAsync(db, BarringCopies.Line, "status_version", swap.SubscriptionId, EventVersions.Unversioned);
            return;
        }
        if (!BarringRules.SwapEndsBlock(profile, swap.ReplacedAt)) return;
        var (change, _) = BarringRules.Unblock(profile, BarringRules.SimSwapActor, swap.ReplacedAt, bySimSwap: true);
        await BarringProfiles.RecordAsync(db, profile, profile.Barrings, null, change is null ? [] : [change],
            $"The SIM {swap.OldIccid} was replaced by {swap.NewIccid}.", swap.ReplacedAt);
    }
}
