using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.Signup.Features.Numbers;
using MasStack.Signup.Features.Portability;
using MasStack.Signup.Features.SimCards;

namespace MasStack.Signup.Features.Compensation;

/// <summary>
/// A line cancelled before it went live (a failed sale, a customer's cancellation, a rejected portability) gives its
/// number and SIM back to stock, and stops its portability if one is still open.
/// </summary>
[ConsumerName("line-cancelled")]
public sealed class LineCancelledConsumer(UnitOfWork db) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    protected override bool Concerns(SubscriptionStatusChanged change) =>
        change.To == SubscriptionStatus.Cancelled && change.From is (SubscriptionStatus.PendingActivation or SubscriptionStatus.PendingPortability);

    protected override async Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct)
    {
        await NumberStock.ReleaseAsync(db, subscriptionId: change.SubscriptionId);
        await SimStock.ReleaseAsync(db, subscriptionId: change.SubscriptionId);
        await PortabilityRequests.CancelAsync(db, change.SubscriptionId, change.Reason ?? "The line was cancelled.", change.ChangedAt);
    }
}
