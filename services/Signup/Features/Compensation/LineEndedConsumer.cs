using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.Signup.Features.Numbers;
using MasStack.Signup.Features.SimCards;

namespace MasStack.Signup.Features.Compensation;

/// <summary>
/// A live line ended: terminated, its number rests in quarantine for <c>Signup:NumberQuarantine</c> (default 180 days)
/// before it can be sold again; ported out, its number leaves our stock. Its SIM is deactivated either way.
/// </summary>
[ConsumerName("line-ended")]
public sealed class LineEndedConsumer(UnitOfWork db, IConfiguration configuration) : InboxConsumer<SubscriptionStatusChanged>(db)
{
    private readonly TimeSpan _quarantine = configuration.GetValue("Signup:NumberQuarantine", TimeSpan.FromDays(180));

    protected override bool Concerns(SubscriptionStatusChanged change) => change.To is SubscriptionStatus.Terminated or SubscriptionStatus.PortedOut;

    protected override async Task Handle(SubscriptionStatusChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (change.To == SubscriptionStatus.Terminated) await NumberStock.QuarantineAsync(db, change.SubscriptionId, change.ChangedAt + _quarantine);
        else await NumberStock.PortedOutAsync(db, change.SubscriptionId);
        await SimStock.DeactivateAsync(db, change.SubscriptionId);
    }
}
