using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Signup.Features.SimCards;

/// <summary>
/// Subscription swapped a line's SIM, having claimed the new one here first (<see cref="InternalSimCardApi"/>): the stock
/// has followed already, and this confirms it (a swap made by an instance that did not claim is applied now).
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
                swap.SubscriptionId, swap.OldIccid, swap.NewIccid, refusal.Detail);
    }
}
