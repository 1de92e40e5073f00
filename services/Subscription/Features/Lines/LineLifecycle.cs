using MasStack.Contracts;
using MasStack.Platform.Data;
using static MasStack.Contracts.SubscriptionStatus;

namespace MasStack.Subscription.Features.Lines;

/// <summary>
/// The states of a line and the moves between them. A line is born pending activation (or pending portability
/// for a ported number), becomes active when its SIM is activated, its installation done or its number ported (a
/// ported fixed line whose installation is still to come waits pending activation), is barred and unbarred, and
/// ends cancelled (only while in flight), moved (to another account), terminated (the customer leaves) or ported
/// out (its number went to another operator). Nothing leaves an ended state.
/// </summary>
public static class LineLifecycle
{
    private static readonly Dictionary<SubscriptionStatus, SubscriptionStatus[]> Moves = new()
    {
        [PendingActivation] = [Active, Cancelled],
        [PendingPortability] = [Active, PendingActivation, Cancelled],
        [Active] = [Barred, Moved, Terminated, PortedOut],
        [Barred] = [Active, Moved, Terminated, PortedOut],
        [Cancelled] = [],
        [Moved] = [],
        [Terminated] = [],
        [PortedOut] = [],
    };

    public static bool CanMove(SubscriptionStatus from, SubscriptionStatus to) => Moves.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>Why the move is refused (naming both states), or null when it is allowed.</summary>
    public static string? Refusal(SubscriptionStatus from, SubscriptionStatus to) =>
        CanMove(from, to) ? null : $"A line that is {EnumText.Of(from)} cannot become {EnumText.Of(to)}.";

    /// <summary>Still the customer's: its product, services, bonuses, promotions and work orders may change.</summary>
    public static bool IsLive(SubscriptionStatus status) => !EndedLines.Contains(status);

    /// <summary>Fixed, internet and TV lines need a technician's visit before they work; a mobile line needs only its SIM.</summary>
    public static bool NeedsInstallation(SubscriptionType type) => type is SubscriptionType.Fixed or SubscriptionType.Internet or SubscriptionType.Tv;

    /// <summary>
    /// Whether a line in flight may become active: its installation done when it needs one, and its number ported when it
    /// is ported (both, for a ported fixed line, in whichever order they finish).
    /// </summary>
    public static bool ReadyToActivate(SubscriptionType type, bool installed, bool ported, NumberMode? numberMode) =>
        (!NeedsInstallation(type) || installed) && (numberMode != NumberMode.Portability || ported);

    /// <summary>Why a change to a line in this state is refused, or null for a live line.</summary>
    public static string? RefusalForChange(SubscriptionStatus status) =>
        IsLive(status) ? null : $"The line is {EnumText.Of(status)}; it can no longer be changed.";

    /// <summary>A SIM is in service on the network (a barred line keeps its SIM, and a lost SIM is swapped while barred).</summary>
    public static bool HasSimInService(SubscriptionStatus status) => status is Active or Barred;
}
