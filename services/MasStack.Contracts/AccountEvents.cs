namespace MasStack.Contracts;

public sealed record AccountOpened(
    long AccountId,
    long UserId,
    long? SignupId,
    AccountStatus Status,
    PaymentType PaymentType,
    string BundleCode,
    DateTimeOffset OpenedAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>An account's status changed (closed when its last line ended); the tree follows it.</summary>
public sealed record AccountStatusChanged(
    long AccountId,
    long UserId,
    AccountStatus From,
    AccountStatus To,
    string? Reason,
    DateTimeOffset ChangedAt,
    long Version = 0) : IIntegrationEvent;
