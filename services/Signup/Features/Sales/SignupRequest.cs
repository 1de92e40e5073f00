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

/// <summary>
/// One line. A new number is either chosen (<c>number</c> with the <c>reservationId</c> of its hold) or left out to be
/// taken from stock; a ported one names its donor operator and, for a prepaid line, the donor SIM's ICCID.
/// <c>iccid</c> is the SIM scanned at the till (required in a store, optional online: one is shipped from stock).
/// </summary>
public sealed record LineRequest(
    SubscriptionType? Type,
    string? ProductCode,
    NumberMode? NumberMode,
    string? Number,
    string? Iccid,
    long? ReservationId = null,
    string? Network = null,
    string? DonorOperator = null,
    string? DonorIccid = null);

public sealed record SignupAccepted(long SignupId, long UserId, long AccountId, IReadOnlyList<SignupSubscription> Subscriptions, string Status);

public sealed record SignupSubscription(long SubscriptionId, SubscriptionType Type, string? Number = null, string? Iccid = null, string? NumberMode = null);

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
    DateTimeOffset UpdatedAt,
    string Kind = "sale",
    IReadOnlyList<PortabilityView>? Portabilities = null,
    IReadOnlyList<PaymentView>? Payments = null);

/// <summary>Where a ported line's number is in the portability process; the reason when rejected.</summary>
public sealed record PortabilityView(
    long SubscriptionId, string Number, string DonorOperator, string State, string? Reason, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd);

public sealed record PaymentView(long PaymentId, Money Amount, string Method, string? Reference, DateTimeOffset PaidAt);

public sealed record SignupStepView(string Step, string State, string? Detail);
