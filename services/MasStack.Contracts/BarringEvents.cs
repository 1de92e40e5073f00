namespace MasStack.Contracts;

/// <summary>
/// A line's barrings changed (Barring publishes it; the customer tree and the subscription follow it):
/// <see cref="Barred"/> is true while any barring or a SIM block is active, with the active barring types
/// (<c>baoc</c>, <c>boic</c>, …) and the reason of the change.
/// </summary>
public sealed record SubscriptionBarringChanged(
    long SubscriptionId,
    long AccountId,
    long UserId,
    bool Barred,
    IReadOnlyList<string> ActiveBarrings,
    string? Reason,
    DateTimeOffset ChangedAt,
    long Version = 0) : IIntegrationEvent;
