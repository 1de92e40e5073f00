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
    DateTimeOffset CreatedAt) : IIntegrationEvent;
