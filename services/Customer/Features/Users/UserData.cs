using MasStack.Contracts;

namespace MasStack.Customer.Features.Users;

/// <summary>A user's personal data as stored; what a patch starts from and produces.</summary>
public sealed record UserData(
    string DocumentType, string DocumentNumber, string FirstName, string LastName, string Email, string Phone,
    DateOnly BirthDate, PostalAddress Address);

public sealed record UserView(
    long UserId, string DocumentType, string DocumentNumber, string FirstName, string LastName, string Email, string Phone,
    DateOnly BirthDate, PostalAddress Address, string? BankAccount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One entry of a user's audit trail: which resource, what changed (from → to), who, when and why.</summary>
public sealed record UserChangeView(
    long ChangeId, string Resource, IReadOnlyDictionary<string, FieldChange> Changes, string ChangedBy, string? Reason, DateTimeOffset ChangedAt);

public sealed record FieldChange(object? From, object? To);
