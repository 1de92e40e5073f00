namespace MasStack.Contracts;

// Events of a line's life after the sale: SIM swaps, cancellations, tariff and service changes, bonuses,
// promotions and network work orders. Changed only by addition.

/// <summary>
/// The line's SIM was swapped: Signup marks <see cref="OldIccid"/> replaced and <see cref="NewIccid"/> active
/// (or assigned, when the line is not active yet). Port-out and further SIM changes are held until <see cref="HoldUntil"/>.
/// </summary>
public sealed record SimReplaced(
    long SubscriptionId,
    long AccountId,
    long UserId,
    string? Number,
    string OldIccid,
    string NewIccid,
    string Network,
    SubscriptionStatus LineStatus,
    string Reason,
    string IdentityCheck,
    DateTimeOffset ReplacedAt,
    DateTimeOffset HoldUntil,
    long Version = 0) : IIntegrationEvent;

/// <summary>An in-flight line was cancelled: its number and SIM go back to stock (Signup), its portability request is dropped.</summary>
public sealed record SubscriptionCancelled(
    long SubscriptionId,
    long AccountId,
    long UserId,
    SubscriptionType Type,
    NumberMode? NumberMode,
    string? Number,
    string? Iccid,
    int MotiveId,
    DateTimeOffset CancelledAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>The tariff of a line changed from <see cref="FromProductCode"/> to <see cref="ToProductCode"/> (Billing prorates from <see cref="ChangedAt"/>).</summary>
public sealed record SubscriptionProductChanged(
    long SubscriptionId,
    long AccountId,
    long UserId,
    string FromProductCode,
    string ToProductCode,
    DateTimeOffset ChangedAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>A value-added service of a line was switched on or off.</summary>
public sealed record SubscriptionServiceChanged(
    long SubscriptionId,
    long AccountId,
    long UserId,
    string ServiceCode,
    bool Enabled,
    DateTimeOffset ChangedAt,
    long Version = 0) : IIntegrationEvent;

public enum OfferKind { Bonus, Promotion }

/// <summary>A bonus or promotion of the catalogue was added to a line, valid from <see cref="StartDate"/> to <see cref="EndDate"/> inclusive.</summary>
public sealed record SubscriptionOfferAdded(
    long OfferId,
    OfferKind Kind,
    long SubscriptionId,
    long AccountId,
    long UserId,
    string Code,
    DateOnly StartDate,
    DateOnly EndDate,
    DateTimeOffset AddedAt,
    long Version = 0) : IIntegrationEvent;

public sealed record SubscriptionOfferRemoved(
    long OfferId,
    OfferKind Kind,
    long SubscriptionId,
    long AccountId,
    long UserId,
    string Code,
    DateTimeOffset RemovedAt,
    long Version = 0) : IIntegrationEvent;

public enum WorkOrderStatus { Pending, Completed, Failed }

/// <summary>The network answered a work order for good: applied (<see cref="WorkOrderStatus.Completed"/>) or refused / given up on.</summary>
public sealed record WorkOrderFinished(
    long WorkOrderId,
    long SubscriptionId,
    string Type,
    WorkOrderStatus Status,
    string? NetworkReference,
    string? Detail,
    int Attempts,
    DateTimeOffset FinishedAt) : IIntegrationEvent;

/// <summary>
/// A live line ended at the customer's request (<see cref="SubscriptionStatus.Terminated"/>): Billing charges the part
/// month up to <see cref="TerminatedAt"/> and, when <see cref="InCommitment"/>, <see cref="EarlyTerminationFee"/> — the
/// fee of the account's terms on the day the line ended. Signup quarantines the number (from the line's status change)
/// for its configured period; the SIM is deactivated on the network by a work order.
/// </summary>
public sealed record SubscriptionTerminated(
    long SubscriptionId,
    long AccountId,
    long UserId,
    SubscriptionType Type,
    string? Number,
    string? Iccid,
    string ProductCode,
    int MotiveId,
    DateOnly RequestedDate,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset TerminatedAt,
    bool InCommitment,
    DateOnly? CommitmentEndDate,
    Money EarlyTerminationFee,
    long Version = 0) : IIntegrationEvent;

/// <summary>
/// The line's number was ported away to <see cref="RecipientOperator"/> (we were the donor): the line ends
/// (<see cref="SubscriptionStatus.PortedOut"/>), its number leaves our stock and its SIM is deactivated.
/// </summary>
public sealed record SubscriptionPortedOut(
    long SubscriptionId,
    long AccountId,
    long UserId,
    SubscriptionType Type,
    string Number,
    string? Iccid,
    string RecipientOperator,
    long PortOutId,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset PortedOutAt,
    long Version = 0) : IIntegrationEvent;
