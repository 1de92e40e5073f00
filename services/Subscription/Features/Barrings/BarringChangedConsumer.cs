using System.Text.Json.Nodes;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;
using MasStack.Subscription.Features.Lines;
using MasStack.Subscription.Features.WorkOrders;

namespace MasStack.Subscription.Features.Barrings;

/// <summary>
/// Barring changed a line's barrings: the line shows them (barred, the barred types, the SIM's status), moves between
/// active and barred, and the network gets a change-barrings work order with the barring set as it now stands — never a
/// delta, and with the profile's version, so a repeated or reordered order does no harm. Changes apply in version order.
/// </summary>
[ConsumerName("subscription-barring-changed")]
public sealed class BarringChangedConsumer(UnitOfWork db, IdGenerator ids, WorkOrderSignal signal) : InboxConsumer<SubscriptionBarringChanged>(db)
{
    private static readonly AggregateCopy Barrings = new("line", "subscriptions", "id");

    protected override async Task Handle(SubscriptionBarringChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (!await EventVersions.AppliesAsync(db, Barrings, "barring_version", change.SubscriptionId, change.Version)) return;
        var line = (await LineStore.LoadForUpdateAsync(db, change.SubscriptionId))!;
        await db.ExecuteAsync(
            """
            UPDATE subscriptions SET barred = @Barred, barrings = @barrings, sim_status = coalesce(@SimStatus, sim_status),
                   sim_block_reason = @SimBlockReason, barring_version = greatest(barring_version, @Version)
            WHERE id = @SubscriptionId
            """,
            new { change.SubscriptionId, change.Barred, barrings = change.ActiveBarrings.ToArray(), change.SimStatus, change.SimBlockReason, change.Version });
        await LineBarrings.FollowAsync(db, line, change.Barred, change.Reason, change.ChangedAt);
        if (!LineLifecycle.IsLive(line.Status)) return;
        await WorkOrderStore.CreateAsync(db, ids.Next(), line, WorkOrderType.ChangeBarrings, new JsonObject
        {
            ["barrings"] = new JsonArray([.. change.ActiveBarrings.Select(b => JsonValue.Create(b))]),
            ["simStatus"] = change.SimStatus,
            ["barringVersion"] = change.Version,
        }, change.ChangedAt, signal);
    }
}

/// <summary>The line's state follows its barrings: an active line with any barring is barred, a barred line with none is active again.</summary>
public static class LineBarrings
{
    public static async Task FollowAsync(UnitOfWork db, Line line, bool barred, string? reason, DateTimeOffset at)
    {
        if (barred && line.Status == SubscriptionStatus.Active) await LineStore.ChangeStatusAsync(db, line, SubscriptionStatus.Barred, reason, at);
        else if (!barred && line.Status == SubscriptionStatus.Barred) await LineStore.ChangeStatusAsync(db, line, SubscriptionStatus.Active, reason, at);
    }

    /// <summary>A line that became active while barrings were set on it (before its SIM was activated) is barred at once.</summary>
    public static async Task FollowAfterActivationAsync(UnitOfWork db, long subscriptionId, DateTimeOffset at)
    {
        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { Status: SubscriptionStatus.Active } line) return;
        if (await db.QuerySingleOrDefaultAsync<bool>("SELECT barred FROM subscriptions WHERE id = @subscriptionId", new { subscriptionId }))
            await FollowAsync(db, line, true, "The line's barrings apply from its activation.", at);
    }
}
