namespace MasStack.Contracts;

/// <summary>
/// A line's barrings changed (Barring publishes it; the customer tree, the subscription and the SIM stock follow it):
/// <see cref="Barred"/> is true while any barring or a SIM block is active, with the active barring types
/// (<c>baoc</c>, <c>boic</c>, …; every type while the SIM is blocked) and the reason of the change. <see cref="Version"/>
/// is the line's barring profile's: 1 when created, one more with each change.
/// <see cref="SimStatus"/> is <c>blocked</c> or <c>unblocked</c> (null: published before SIM blocks existed), and
/// <see cref="SimBlockReason"/> why it is blocked (<c>lost</c>, <c>stolen</c>, <c>fraud</c>, …).
/// </summary>
public sealed record SubscriptionBarringChanged(
    long SubscriptionId,
    long AccountId,
    long UserId,
    bool Barred,
    IReadOnlyList<string> ActiveBarrings,
    string? Reason,
    DateTimeOffset ChangedAt,
    long Version = 0,
    string? SimStatus = null,
    string? SimBlockReason = null) : IIntegrationEvent;

/// <summary>
/// Barring created a new line's barring profile (nothing barred, SIM unblocked): the signup saga's confirmation of the
/// step <see cref="SignupSteps.Barring"/>.
/// </summary>
public sealed record BarringProfileCreated(long SubscriptionId, long AccountId, long? SignupId, DateTimeOffset CreatedAt, long Version = 1)
    : IIntegrationEvent;

/// <summary>The SIM states Barring announces, and which block reasons mark the SIM card itself blocked in Signup's stock.</summary>
public static class SimBlocks
{
    public const string Blocked = "blocked", Unblocked = "unblocked";

    /// <summary>A SIM reported lost or stolen is compromised: the card itself is blocked in stock, not only the line's traffic.</summary>
    public static bool BlocksCard(string? reason) => reason is "lost" or "stolen";
}
