namespace MasStack.Contracts;

// Billing's events. The full IBAN never travels: only its masked form.

/// <summary>
/// A postpaid account's payment info was stored (from the sale: <see cref="SignupId"/> set, and the signup saga takes it as
/// Billing's confirmation) or changed. Customer shows the masked bank account. Version: the payment info's, one more per change.
/// </summary>
public sealed record PaymentInfoChanged(
    long AccountId,
    long UserId,
    long? SignupId,
    string Method,
    string Holder,
    string MaskedIban,
    DateTimeOffset ChangedAt,
    long Version = 0) : IIntegrationEvent;

/// <summary>An invoice was issued (numbered, final) for an account and a billing period (<c>yyyy-MM</c>).</summary>
public sealed record InvoiceIssued(
    long InvoiceId,
    long AccountId,
    long UserId,
    string Number,
    string Period,
    DateOnly IssuedOn,
    Money Total,
    DateTimeOffset IssuedAt,
    long Version = 1) : IIntegrationEvent;
