namespace MasStack.Contracts;

// Consumption's spending cap (the EU bill-shock pattern). Defined here for the Barring and Consumption issues to agree on:
// at 100 % of the monthly limit Consumption publishes ConsumptionLimitReached and Barring bars the line's outgoing
// chargeable traffic (an operator barring, reason consumption-limit); raising or deleting the limit, or a new billing month,
// publishes ConsumptionLimitCleared and Barring lifts it. Version: the line's limit state in Consumption, one more per change.

/// <summary>A line's spending in <see cref="Period"/> (<c>yyyy-MM</c>) reached its monthly <see cref="Limit"/>.</summary>
public sealed record ConsumptionLimitReached(
    long SubscriptionId,
    long AccountId,
    long UserId,
    string Period,
    Money Limit,
    Money Spent,
    DateTimeOffset ReachedAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>A reached limit no longer holds: <see cref="Reason"/> is <c>raised</c>, <c>deleted</c> or <c>new-month</c>.</summary>
public sealed record ConsumptionLimitCleared(
    long SubscriptionId,
    long AccountId,
    long UserId,
    string Reason,
    DateTimeOffset ClearedAt,
    long Version = 0) : IIntegrationEvent;
