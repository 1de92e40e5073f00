using MasStack.Contracts;

namespace MasStack.Customer.Features.Tree;

public sealed record CustomerTree(TreeUser User, IReadOnlyList<TreeAccount> Accounts);

public sealed record TreeUser(
    long UserId, string DocumentType, string DocumentNumber, string FirstName, string LastName, string Email, string Phone);

public sealed record TreeAccount(
    long AccountId, AccountStatus? Status, PaymentType? PaymentType, string? BundleCode, IReadOnlyList<TreeSubscription> Subscriptions);

public sealed record TreeSubscription(
    long SubscriptionId, SubscriptionType Type, string? Number, string ProductCode, SubscriptionStatus Status, bool Barred);
