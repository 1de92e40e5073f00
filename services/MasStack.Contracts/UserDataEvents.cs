namespace MasStack.Contracts;

/// <summary>A user's personal data changed: the names of the fields that changed, and the email as it now is.</summary>
public sealed record UserUpdated(
    long UserId,
    IReadOnlyList<string> ChangedFields,
    string Email,
    string ChangedBy,
    string? Reason,
    DateTimeOffset UpdatedAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>The login email of a user's Agile TV line changed (Customer keeps it; Subscription shows it on the line).</summary>
public sealed record AgileTvEmailChanged(
    long SubscriptionId,
    long AccountId,
    long UserId,
    string Email,
    DateTimeOffset ChangedAt,
    long Version = 0) : IIntegrationEvent;
