using MasStack.Contracts;
using MasStack.Platform.Data;
using static MasStack.Contracts.SubscriptionStatus;

namespace MasStack.Subscription.Features.Lines;

/// <summary>
/// The states of a line and the moves between them. A line is born pending activation (or pending portability
/// for a ported number), becomes active when its SIM is activated or its number ported, is barred and unbarred,
/// and ends cancelled (only while in flight) or moved (to another account). Nothing leaves cancelled or moved.
/// </summary>
public static class LineLifecycle
{
    private static readonly Dictionary<SubscriptionStatus, SubscriptionStatus[]> Moves = new()
    {
        [PendingActivation] = [Active, Cancelled],
        [PendingPortability] = [Active, Cancelled],
        [Active] = [Barred, Moved],
        [Barred] = [Active, Moved],
        [Cancelled] = [],
        [Moved] = [],
    };

    public static bool CanMove(SubscriptionStatus from, SubscriptionStatus to) => Moves[from].Contains(to);

    /// <summary>Why the move is refused (naming both states), or null when it is allowed.</summary>
    public static string? Refusal(SubscriptionStatus from, SubscriptionStatus to) =>
        CanMove(from, to) ? null : $"A line that is {EnumText.Of(from)} cannot become {EnumText.Of(to)}.";

    /// <summary>Still the customer's: its product, services, bonuses, promotions and work orders may change.</summary>
    public static bool IsLive(SubscriptionStatus status) => status is not (Cancelled or Moved);

    /// <summary>Why a change to a line in this state is refused, or null for a live line.</summary>
    public static string? RefusalForChange(SubscriptionStatus status) =>
        IsLive(status) ? null : $"The line is {EnumText.Of(status)}; it can no longer be changed.";

    /// <summary>A SIM is in service on the network (a barred line keeps its SIM, and a lost SIM is swapped while barred).</summary>
    public static bool HasSimInService(SubscriptionStatus status) => status is Active or Barred;
}
