using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

// Signup took each line's creation (subscription-created, and a sale's lines together, subscriptions-created) as well as
// its barring profile; the profile's confirmation now confirms both (below), and those two queues are taken off the broker.
[assembly: RetiredConsumers("subscription-created", "subscriptions-created")]

namespace MasStack.Signup.Features.Sales;

// The confirmations the signup saga waits for, one consumer per event.

[ConsumerName("user-registered")]
public sealed class UserRegisteredConsumer(UnitOfWork db) : InboxConsumer<UserRegistered>(db)
{
    protected override Task Handle(UserRegistered message, UnitOfWork db, CancellationToken ct) =>
        message.SignupId is { } signupId ? SignupProgress.ConfirmAsync(db, signupId, SignupSteps.Customer) : Task.CompletedTask;
}

[ConsumerName("account-opened")]
public sealed class AccountOpenedConsumer(UnitOfWork db) : InboxConsumer<AccountOpened>(db)
{
    protected override Task Handle(AccountOpened message, UnitOfWork db, CancellationToken ct) =>
        message.SignupId is { } signupId ? SignupProgress.ConfirmAsync(db, signupId, SignupSteps.Account) : Task.CompletedTask;
}

/// <summary>
/// A line's barring profile confirms its creation too: Barring gives a profile only to a line Subscription created and
/// announced, so Signup need not take that announcement as well (its consumers of it are retired, above: a delivery and a
/// locking confirmation fewer a sale).
/// </summary>
[ConsumerName("barring-profile-created")]
public sealed class BarringProfileCreatedConsumer(UnitOfWork db) : InboxConsumer<BarringProfileCreated>(db)
{
    protected override Task Handle(BarringProfileCreated message, UnitOfWork db, CancellationToken ct) =>
        message.SignupId is { } signupId ? SignupProgress.ConfirmAsync(db, signupId, ConfirmedBy(message)) : Task.CompletedTask;

    /// <summary>The steps a line's profile confirms: its creation and its profile.</summary>
    internal static string[] ConfirmedBy(BarringProfileCreated profile) =>
        [SignupSteps.Subscription(profile.SubscriptionId), SignupSteps.Barring(profile.SubscriptionId)];
}

/// <summary>The barring profiles of a sale's lines, created together: the lines' creation and profiles confirmed in one transaction.</summary>
[ConsumerName("barring-profiles-created")]
public sealed class BarringProfilesCreatedConsumer(UnitOfWork db) : InboxConsumer<BarringProfilesCreated>(db)
{
    protected override Task Handle(BarringProfilesCreated message, UnitOfWork db, CancellationToken ct) =>
        SignupProgress.ConfirmAsync(db, message.SignupId, [.. message.Profiles.SelectMany(BarringProfileCreatedConsumer.ConfirmedBy)]);
}

[ConsumerName("prepaid-balance-opened")]
public sealed class PrepaidBalanceOpenedConsumer(UnitOfWork db) : InboxConsumer<PrepaidBalanceOpened>(db)
{
    protected override Task Handle(PrepaidBalanceOpened message, UnitOfWork db, CancellationToken ct) =>
        message.SignupId is { } signupId
            ? SignupProgress.ConfirmAsync(db, signupId, SignupSteps.Consumption(message.SubscriptionId))
            : Task.CompletedTask;
}

/// <summary>The balances of a sale's prepaid lines, opened together: their steps are confirmed in one transaction.</summary>
[ConsumerName("prepaid-balances-opened")]
public sealed class PrepaidBalancesOpenedConsumer(UnitOfWork db) : InboxConsumer<PrepaidBalancesOpened>(db)
{
    protected override Task Handle(PrepaidBalancesOpened message, UnitOfWork db, CancellationToken ct) =>
        SignupProgress.ConfirmAsync(db, message.SignupId, [.. message.Balances.Select(b => SignupSteps.Consumption(b.SubscriptionId))]);
}

/// <summary>Billing stored a postpaid sale's payment info (a later change carries no signup).</summary>
[ConsumerName("payment-info-changed")]
public sealed class PaymentInfoChangedConsumer(UnitOfWork db) : InboxConsumer<PaymentInfoChanged>(db)
{
    protected override Task Handle(PaymentInfoChanged message, UnitOfWork db, CancellationToken ct) =>
        message.SignupId is { } signupId ? SignupProgress.ConfirmAsync(db, signupId, SignupSteps.Billing) : Task.CompletedTask;
}

[ConsumerName("signup-step-failed")]
public sealed class SignupStepFailedConsumer(UnitOfWork db) : InboxConsumer<SignupStepFailed>(db)
{
    protected override Task Handle(SignupStepFailed message, UnitOfWork db, CancellationToken ct) =>
        SignupProgress.FailAsync(db, message.SignupId, message.Step, message.Reason);
}
