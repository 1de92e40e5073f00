namespace MasStack.Contracts;

// Consumption's spending cap (the EU bill-shock pattern), and a prepaid balance that ran out (a limit of zero). Defined here for the Barring and Consumption issues to agree on:
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

/// <summary>
/// A line's spending in <see cref="Period"/> passed 80 % of its monthly <see cref="Limit"/>: published once per line and month.
/// Its <see cref="Version"/> is the same limit state's as <see cref="ConsumptionLimitReached"/>'s.
/// </summary>
public sealed record ConsumptionLimitWarned(
    long SubscriptionId,
    long AccountId,
    long UserId,
    string Period,
    Money Limit,
    Money Spent,
    DateTimeOffset WarnedAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>
/// A reached limit no longer holds: <see cref="Reason"/> is <c>raised</c>, <c>deleted</c> or <c>new-month</c>, or — for a
/// prepaid line whose balance ran out (published as <see cref="ConsumptionLimitReached"/> with a zero limit) —
/// <c>recharged</c>.
/// </summary>
public sealed record ConsumptionLimitCleared(
    long SubscriptionId,
    long AccountId,
    long UserId,
    string Reason,
    DateTimeOffset ClearedAt,
    long Version = 0) : IIntegrationEvent;

// What Billing invoices of a line's usage: Consumption's running total, per line and billing month, of what was charged
// beyond the line's allowances. One event per line touched by a rated batch (never one per record); each carries the whole
// month so far, so Billing keeps the newest (highest Version, one more per change of that line's month) and a late or
// repeated event changes nothing.

/// <summary>A line's usage charged beyond its allowances in <see cref="Period"/> (<c>yyyy-MM</c>) so far, by type and destination.</summary>
public sealed record UsageCharged(
    long SubscriptionId,
    long AccountId,
    string Period,
    PaymentType PaymentType,
    IReadOnlyList<UsageChargeLine> Lines,
    Money Total,
    DateTimeOffset AsOf,
    long Version = 0) : IIntegrationEvent;

/// <summary>One kind of usage in a <see cref="UsageCharged"/>: <c>voice|sms|data</c> to a destination, its quantity (seconds, messages, bytes) beyond allowance and what it cost.</summary>
public sealed record UsageChargeLine(string Type, string Destination, long Quantity, Money Amount);

// A prepaid line's balance, Consumption's (architecture.md, flow 1 and 4). Version: the balance's, 1 when opened, one more per change.

/// <summary>
/// Consumption opened a prepaid line's balance with the product's initial credit: the signup saga's confirmation of the
/// step <see cref="SignupSteps.Consumption"/>.
/// </summary>
public sealed record PrepaidBalanceOpened(long SubscriptionId, long AccountId, long? SignupId, Money Balance, DateTimeOffset OpenedAt, long Version = 1)
    : IIntegrationEvent;

/// <summary>
/// The balances of a sale's prepaid lines, opened together: one confirmation for all of them, each as its own
/// <see cref="PrepaidBalanceOpened"/> would say it.
/// </summary>
public sealed record PrepaidBalancesOpened(long SignupId, IReadOnlyList<PrepaidBalanceOpened> Balances) : IIntegrationEvent;

/// <summary>A prepaid line was recharged by <see cref="Amount"/> (<see cref="Method"/>: card, cash, voucher, …); <see cref="Balance"/> is after it.</summary>
public sealed record BalanceRecharged(
    long RechargeId, long SubscriptionId, long AccountId, Money Amount, string Method, Money Balance, DateTimeOffset RechargedAt, long Version = 0)
    : IIntegrationEvent;
