using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.Subscription.Features.Barrings;
using MasStack.Subscription.Features.Installation;
using MasStack.Subscription.Features.Lines;

namespace MasStack.Subscription.Features.Portability;

/// <summary>Keeps a ported line's portability state and window; the line becomes active when ported (and installed, if it needs a visit), cancelled when rejected.</summary>
[ConsumerName("portability-changed")]
public sealed class PortabilityChangedConsumer(UnitOfWork db) : InboxConsumer<PortabilityChanged>(db)
{
    protected override async Task Handle(PortabilityChanged change, UnitOfWork db, CancellationToken ct)
    {
        await db.ExecuteAsync(
            """
            INSERT INTO subscription_portability (subscription_id, number, donor_operator, state, reason, window_start, window_end, updated_at, version)
            VALUES (@SubscriptionId, @Number, @DonorOperator, @State, @Reason, @WindowStart, @WindowEnd, @ChangedAt, @Version)
            ON CONFLICT (subscription_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, window_start = excluded.window_start,
                window_end = excluded.window_end, updated_at = excluded.updated_at, version = greatest(subscription_portability.version, excluded.version)
            WHERE excluded.version > subscription_portability.version
               OR (excluded.version = 0 AND subscription_portability.updated_at <= excluded.updated_at)
            """, change);
        if (change.State == "ported")
        {
            // A ported fixed line also waits for its installation: active once both are done.
            var line = await LineStore.LoadForUpdateAsync(db, change.SubscriptionId);
            if (line is null || line.Status != SubscriptionStatus.PendingPortability) return;
            var installed = await Installations.IsDoneAsync(db, line.Id);
            if (LineLifecycle.ReadyToActivate(line.Type, installed, ported: true, line.NumberMode))
            {
                await LineStore.ChangeStatusAsync(db, line, SubscriptionStatus.Active, $"Number ported from {change.DonorOperator}.", change.ChangedAt);
                await LineBarrings.FollowAfterActivationAsync(db, line.Id, change.ChangedAt);
            }
            else
                await LineStore.ChangeStatusAsync(db, line, SubscriptionStatus.PendingActivation,
                    $"Number ported from {change.DonorOperator}; waiting for the installation.", change.ChangedAt);
        }
        else if (change.State is "rejected" or "cancelled")
            await LineStore.ChangeStatusIfAsync(db, change.SubscriptionId, [SubscriptionStatus.PendingPortability], SubscriptionStatus.Cancelled,
                $"Portability {change.State}: {change.Reason}", change.ChangedAt);
    }
}
