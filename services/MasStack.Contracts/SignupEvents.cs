namespace MasStack.Contracts;

/// <summary>A sale was accepted: each service creates its part and confirms (or reports the step failed).</summary>
public sealed record SignupSubmitted(
    long SignupId,
    long UserId,
    long AccountId,
    SalesChannel Channel,
    PaymentType PaymentType,
    string BundleCode,
    SignupCustomer Customer,
    IReadOnlyList<SignupLine> Lines,
    DateTimeOffset SubmittedAt,
    AcceptedTerms? Terms = null) : IIntegrationEvent;

public sealed record SignupCustomer(
    string DocumentType,
    string DocumentNumber,
    string FirstName,
    string LastName,
    string Email,
    string Phone,
    DateOnly BirthDate,
    PostalAddress Address,
    string? Iban);

public sealed record PostalAddress(string Street, string City, string PostalCode, string Province, string Country);

public sealed record SignupLine(
    long SubscriptionId,
    SubscriptionType Type,
    string ProductCode,
    NumberMode? NumberMode,
    string? Number,
    string? Iccid);

/// <summary>A service could not do its part of a sale; the saga fails the signup.</summary>
public sealed record SignupStepFailed(long SignupId, string Step, string Reason) : IIntegrationEvent;

public sealed record SignupCompleted(long SignupId, long UserId, long AccountId) : IIntegrationEvent;

public sealed record SignupFailed(long SignupId, long UserId, long AccountId, string Reason) : IIntegrationEvent;

/// <summary>The names of the confirmations the signup saga waits for, as used in <see cref="SignupStepFailed.Step"/>.</summary>
public static class SignupSteps
{
    public const string Customer = "customer";
    public const string Account = "account";

    public static string Subscription(long subscriptionId) => $"subscription:{subscriptionId}";

    /// <summary>Barring created the line's barring profile (<see cref="BarringProfileCreated"/>).</summary>
    public static string Barring(long subscriptionId) => $"barring:{subscriptionId}";

    /// <summary>Billing stored a postpaid account's payment info (postpaid sales only).</summary>
    public const string Billing = "billing";

    /// <summary>Consumption opened a prepaid line's balance (prepaid lines only).</summary>
    public static string Consumption(long subscriptionId) => $"consumption:{subscriptionId}";
}
