namespace MasStack.Contracts;

public sealed record SubscriptionCreated(
    long SubscriptionId,
    long AccountId,
    long UserId,
    long? SignupId,
    SubscriptionType Type,
    string? Number,
    string ProductCode,
    SubscriptionStatus Status,
    DateTimeOffset CreatedAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>
/// The lines of one sale, created together in one transaction: one event for all of them (each as its own
/// <see cref="SubscriptionCreated"/> would say it), so that each subscriber takes a sale's lines in one delivery. A single
/// line, and a line added to an account, comes as <see cref="SubscriptionCreated"/>.
/// </summary>
public sealed record SubscriptionsCreated(long SignupId, IReadOnlyList<SubscriptionCreated> Lines) : IIntegrationEvent;

/// <summary>A line moved from one state to another (activated, ported, barred, cancelled, …); the reason when there is one.</summary>
public sealed record SubscriptionStatusChanged(
    long SubscriptionId,
    long AccountId,
    long UserId,
    SubscriptionStatus From,
    SubscriptionStatus To,
    string? Reason,
    DateTimeOffset ChangedAt,
    long Version = 0) : IIntegrationEvent;
