namespace MasStack.Contracts;

public sealed record UserRegistered(
    long UserId,
    long? SignupId,
    string DocumentType,
    string DocumentNumber,
    string Email,
    DateTimeOffset RegisteredAt,
    long Version = 0) : IIntegrationEvent;
