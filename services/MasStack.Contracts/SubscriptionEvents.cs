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
