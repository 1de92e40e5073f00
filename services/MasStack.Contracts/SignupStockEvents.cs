namespace MasStack.Contracts;

// Signup's events beyond the sale itself: SIMs, payments, lines added to a bundle, portability, and undoing a failed sale.

/// <summary>The SIM of a line was activated: the line becomes active.</summary>
public sealed record SimActivated(string Iccid, long SubscriptionId, string? Number, DateTimeOffset ActivatedAt) : IIntegrationEvent;

/// <summary>One more line sold into an existing account: Subscription creates it and confirms with <see cref="SubscriptionCreated"/>.</summary>
public sealed record LineAddedToBundle(
    long SignupId, long AccountId, long UserId, PaymentType PaymentType, string BundleCode, SignupLine Line, DateTimeOffset SubmittedAt)
    : IIntegrationEvent;

/// <summary>A payment taken at the sale (card, cash or direct debit).</summary>
public sealed record SalePaymentRegistered(
    long PaymentId, long SignupId, long AccountId, Money Amount, string Method, string? Reference, DateTimeOffset PaidAt) : IIntegrationEvent;

/// <summary>
/// A ported line moved on in the portability process: requested → donor-validation → accepted | rejected (reason) →
/// scheduled (window) → ported | cancelled. Subscription activates the line when ported and cancels it when rejected.
/// </summary>
public sealed record PortabilityChanged(
    long SubscriptionId, long SignupId, string Number, string DonorOperator, string State, string? Reason,
    DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd, DateTimeOffset ChangedAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>
/// A failed sale is to be undone: Customer removes the user when <see cref="RemoveUser"/> (created only for this sale),
/// Account removes the account when <see cref="RemoveAccount"/> (opened for this sale), Subscription cancels the sale's
/// lines. Published with <see cref="SignupFailed"/>, and again when a confirmation arrives after the failure, so a part
/// created late is undone too; every handler is idempotent.
/// </summary>
public sealed record SignupCompensationRequested(
    long SignupId, long UserId, long AccountId, bool RemoveUser, bool RemoveAccount, IReadOnlyList<long> SubscriptionIds, string Reason)
    : IIntegrationEvent;
