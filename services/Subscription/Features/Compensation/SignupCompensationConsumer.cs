using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.Subscription.Features.Lines;

namespace MasStack.Subscription.Features.Compensation;

/// <summary>A failed sale's lines are cancelled (each announced, so the account and the tree show it).</summary>
[ConsumerName("signup-compensation")]
public sealed class SignupCompensationConsumer(UnitOfWork db) : InboxConsumer<SignupCompensationRequested>(db)
{
    private static readonly SubscriptionStatus[] NotYetLive = [SubscriptionStatus.PendingActivation, SubscriptionStatus.PendingPortability];

    protected override async Task Handle(SignupCompensationRequested failed, UnitOfWork db, CancellationToken ct)
    {
        foreach (var subscriptionId in failed.SubscriptionIds)
            await LineStore.ChangeStatusIfAsync(db, subscriptionId, NotYetLive, SubscriptionStatus.Cancelled,
                $"The sale failed: {failed.Reason}", DateTimeOffset.UtcNow);
    }
}
