using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.Subscription.Features.Activation;

/// <summary>Moves a line from one of the expected states to another and announces it; a line in any other state is left alone.</summary>
public static class LineStatusChanges
{
    public static async Task<bool> ChangeAsync(
        UnitOfWork db, long subscriptionId, SubscriptionStatus[] from, SubscriptionStatus to, string? reason, DateTimeOffset at)
    {
        var changed = await db.QuerySingleOrDefaultAsync<Changed>(
            """
            WITH old AS (SELECT id, status FROM subscriptions WHERE id = @subscriptionId AND status = ANY(@from) FOR UPDATE)
            UPDATE subscriptions s SET status = @to, updated_at = @at FROM old WHERE s.id = old.id
            RETURNING s.account_id AS AccountId, s.user_id AS UserId, old.status AS OldStatus
            """,
            new { subscriptionId, from = from.Select(EnumText.Of).ToArray(), to = EnumText.Of(to), at });
        if (changed is null) return false;
        await db.PublishAsync(new SubscriptionStatusChanged(
            subscriptionId, changed.AccountId, changed.UserId, EnumText.Parse<SubscriptionStatus>(changed.OldStatus), to, reason, at));
        return true;
    }

    private sealed record Changed(long AccountId, long UserId, string OldStatus);
}

/// <summary>A SIM activated at Signup: its line, pending activation, becomes active.</summary>
public sealed class SimActivatedConsumer(UnitOfWork db) : Platform.Messaging.InboxConsumer<SimActivated>(db)
{
    protected override Task Handle(SimActivated sim, UnitOfWork db, CancellationToken ct) =>
        LineStatusChanges.ChangeAsync(db, sim.SubscriptionId, [SubscriptionStatus.PendingActivation], SubscriptionStatus.Active,
            $"SIM {sim.Iccid} activated.", sim.ActivatedAt);
}
