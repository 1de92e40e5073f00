using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Subscription.Features.Barrings;
using MasStack.Subscription.Features.Lines;

namespace MasStack.Subscription.Features.Activation;

/// <summary>A SIM activated at Signup: its line, pending activation, becomes active.</summary>
[Platform.Messaging.ConsumerName("sim-activated")]
public sealed class SimActivatedConsumer(UnitOfWork db) : Platform.Messaging.InboxConsumer<SimActivated>(db)
{
    protected override async Task Handle(SimActivated sim, UnitOfWork db, CancellationToken ct)
    {
        if (await LineStore.ChangeStatusIfAsync(db, sim.SubscriptionId, [SubscriptionStatus.PendingActivation], SubscriptionStatus.Active,
                $"SIM {sim.Iccid} activated.", sim.ActivatedAt))
            await LineBarrings.FollowAfterActivationAsync(db, sim.SubscriptionId, sim.ActivatedAt);
    }
}
