using MasStack.Contracts;

namespace MasStack.Signup.Features.Sales;

// What a till or the online shop posts. Every field is nullable so that a missing one is reported by name
// by SignupValidation instead of failing deserialization.
public sealed record SignupRequest(
    SalesChannel? Channel,
    string? StoreId,
    ExpeditionRequest? Expedition,
    PaymentType? PaymentType,
    string? BundleCode,
    CustomerRequest? Customer,
    IReadOnlyList<LineRequest>? Lines);

public sealed record CustomerRequest(
    string? DocumentType,
    string? DocumentNumber,
    string? FirstName,
    string? LastName,
    string? Email,
    string? Phone,
    DateOnly? BirthDate,
    AddressRequest? Address,
    string? Iban);

public sealed record AddressRequest(string? Street, string? City, string? PostalCode, string? Province, string? Country);

public sealed record ExpeditionRequest(AddressRequest? Address, string? ContactName, string? ContactPhone, string? Notes);

public sealed record LineRequest(SubscriptionType? Type, string? ProductCode, NumberMode? NumberMode, string? Number, string? Iccid);

public sealed record SignupAccepted(long SignupId, long UserId, long AccountId, IReadOnlyList<SignupSubscription> Subscriptions, string Status);

public sealed record SignupSubscription(long SubscriptionId, SubscriptionType Type);

public sealed record SignupView(
    long SignupId,
    long UserId,
    long AccountId,
    string Status,
    string? FailureReason,
    SalesChannel Channel,
    PaymentType PaymentType,
    string BundleCode,
    IReadOnlyList<SignupSubscription> Subscriptions,
    IReadOnlyList<SignupStepView> Steps,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record SignupStepView(string Step, string State, string? Detail);
