namespace MasStack.Contracts;

/// <summary>
/// A line's barrings changed (Barring publishes it; the customer tree, the subscription and the SIM stock follow it):
/// <see cref="Barred"/> is true while any barring or a SIM block is active, with the active barring types
/// (<c>baoc</c>, <c>boic</c>, …; every type while the SIM is blocked) and the reason of the change. <see cref="Version"/>
/// is the line's barring profile's: 1 when created, one more with each change.
/// <see cref="SimStatus"/> is <c>blocked</c> or <c>unblocked</c> (null: published before SIM blocks existed), and
/// <see cref="SimBlockReason"/> why it is blocked (<c>lost</c>, <c>stolen</c>, <c>fraud</c>, …). <see cref="ActiveReasons"/>
/// are why the line is barred now: the distinct reasons of its active barrings and of its SIM block (<c>request</c>,
/// <c>debt</c>, <c>fraud</c>, <c>non-payment</c>, <c>lost</c>, <c>stolen</c>, <c>consumption-limit</c>), empty when nothing
/// bars it (null: published before the reasons were carried) — a copy follows them by <see cref="Version"/>.
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
    string? SimBlockReason = null,
    IReadOnlyList<string>? ActiveReasons = null) : IIntegrationEvent;

/// <summary>The barring reasons that keep a line where it is: barred for debt or fraud, a line cannot migrate.</summary>
public static class BarringReasons
{
    public const string Debt = "debt", NonPayment = "non-payment", Fraud = "fraud";

    /// <summary>The first reason among <paramref name="reasons"/> that refuses a migration, or null.</summary>
    public static string? RefusingMigration(IEnumerable<string>? reasons) =>
        reasons?.FirstOrDefault(r => r is Debt or NonPayment or Fraud);
}

/// <summary>
/// Barring created a new line's barring profile (nothing barred, SIM unblocked): the signup saga's confirmation of the
/// step <see cref="SignupSteps.Barring"/>.
/// </summary>
public sealed record BarringProfileCreated(long SubscriptionId, long AccountId, long? SignupId, DateTimeOffset CreatedAt, long Version = 1)
    : IIntegrationEvent;

/// <summary>
/// The barring profiles of a sale's lines, created together from <see cref="SubscriptionsCreated"/>: one confirmation for
/// all of them, each as its own <see cref="BarringProfileCreated"/> would say it.
/// </summary>
public sealed record BarringProfilesCreated(long SignupId, IReadOnlyList<BarringProfileCreated> Profiles) : IIntegrationEvent;

/// <summary>The SIM states Barring announces, and which block reasons mark the SIM card itself blocked in Signup's stock.</summary>
public static class SimBlocks
{
    public const string Blocked = "blocked", Unblocked = "unblocked";

    /// <summary>A SIM reported lost or stolen is compromised: the card itself is blocked in stock, not only the line's traffic.</summary>
    public static bool BlocksCard(string? reason) => reason is "lost" or "stolen";
}
