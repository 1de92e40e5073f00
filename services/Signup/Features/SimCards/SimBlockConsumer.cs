using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Signup.Features.SimCards;

/// <summary>
/// Barring blocked or unblocked a line's SIM: a SIM reported lost or stolen is marked <c>blocked</c> in stock, and goes
/// back to its state when unblocked. Changes are applied in the order of the line's barring profile versions.
/// </summary>
[ConsumerName("subscription-barring-changed")]
public sealed class SimBlockConsumer(UnitOfWork db) : InboxConsumer<SubscriptionBarringChanged>(db)
{
    protected override bool Concerns(SubscriptionBarringChanged change) => change.SimStatus is not null;

    protected override async Task Handle(SubscriptionBarringChanged change, UnitOfWork db, CancellationToken ct)
    {
        var newer = await db.ExecuteAsync(
            """
            INSERT INTO line_sim_blocks (subscription_id, version) VALUES (@SubscriptionId, @Version)
            ON CONFLICT (subscription_id) DO UPDATE SET version = excluded.version, updated_at = now()
            WHERE line_sim_blocks.version < excluded.version
            """, new { change.SubscriptionId, change.Version });
        if (newer == 0) return;
        if (change.SimStatus == SimBlocks.Blocked && SimBlocks.BlocksCard(change.SimBlockReason)) await SimStock.BlockAsync(db, change.SubscriptionId);
        else if (change.SimStatus == SimBlocks.Unblocked) await SimStock.UnblockAsync(db, change.SubscriptionId);
    }
}
