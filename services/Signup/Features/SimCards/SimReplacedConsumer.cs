using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Signup.Features.SimCards;

/// <summary>
/// Subscription swapped a line's SIM (having checked with Signup, over HTTP, that the new one was available and of
/// the line's network): the stock follows — the new SIM takes the line, the old one is <c>replaced</c> for good.
/// </summary>
[ConsumerName("sim-replaced")]
public sealed class SimReplacedConsumer(UnitOfWork db, ILogger<SimReplacedConsumer> logger) : InboxConsumer<SimReplaced>(db)
{
    protected override async Task Handle(SimReplaced swap, UnitOfWork db, CancellationToken ct)
    {
        var (_, refusal) = await SimStock.SwapAsync(db, swap.SubscriptionId, swap.OldIccid, swap.NewIccid);
        // The line has its new SIM already: a stock that disagrees (another sale took the SIM in between) is for an operator to mend.
        if (refusal is not null)
            logger.LogError("SIM stock disagrees with the swap of line {SubscriptionId} from {Old} to {New}: {Refusal}",
                swap.SubscriptionId, swap.OldIccid, swap.NewIccid, refusal);
    }
}
