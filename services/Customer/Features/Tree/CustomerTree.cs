using System.Text.Json.Serialization;
using MasStack.Contracts;

namespace MasStack.Customer.Features.Tree;

public sealed record CustomerTree(TreeUser User, IReadOnlyList<TreeAccount> Accounts);

public sealed record TreeUser(
    long UserId, string DocumentType, string DocumentNumber, string FirstName, string LastName, string Email, string Phone);

public sealed record TreeAccount(
    long AccountId, AccountStatus? Status, PaymentType? PaymentType, string? BundleCode, IReadOnlyList<TreeSubscription> Subscriptions);

/// <summary>
/// A line of the tree: barred while any barring or a SIM block is active, with the barred types (<c>baoc</c>, …) and its SIM's
/// status (<c>blocked</c>, <c>unblocked</c>); a TV line also shows its Agile TV login email (the user's email until changed).
/// </summary>
public sealed record TreeSubscription(
    long SubscriptionId, SubscriptionType Type, string? Number, string ProductCode, SubscriptionStatus Status, bool Barred,
    IReadOnlyList<string> Barrings, string SimStatus,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AgileTvEmail = null);
