using System.Text.Json.Serialization;
using MasStack.Contracts;

namespace MasStack.Customer.Features.Tree;

public sealed record CustomerTree(TreeUser User, IReadOnlyList<TreeAccount> Accounts);

public sealed record TreeUser(
    long UserId, string DocumentType, string DocumentNumber, string FirstName, string LastName, string Email, string Phone);

public sealed record TreeAccount(
    long AccountId, AccountStatus? Status, PaymentType? PaymentType, string? BundleCode, IReadOnlyList<TreeSubscription> Subscriptions);

/// <summary>A line of the tree; a TV line also shows its Agile TV login email (the user's email until changed).</summary>
public sealed record TreeSubscription(
    long SubscriptionId, SubscriptionType Type, string? Number, string ProductCode, SubscriptionStatus Status, bool Barred,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AgileTvEmail = null);
