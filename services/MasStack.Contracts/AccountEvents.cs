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
