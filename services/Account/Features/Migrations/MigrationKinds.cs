using MasStack.Contracts;

namespace MasStack.Account.Features.Migrations;

/// <summary>
/// What a migration is, from its source and target: the seed's six kinds, and the steps of the saga each one needs. Pure.
/// </summary>
public static class MigrationKinds
{
    /// <summary>A bundle migration: the account moves to another bundle, its lines to that bundle's products.</summary>
    public const string Bundle = "bundle";

    public const string ToNewAccount = "to-new-account", ToExistingAccount = "to-existing-account",
        PrepaidToNewPostpaid = "prepaid-to-new-postpaid", PrepaidToExistingPostpaid = "prepaid-to-existing-postpaid",
        PostpaidToNewPrepaid = "postpaid-to-new-prepaid", PostpaidToExistingPrepaid = "postpaid-to-existing-prepaid";

    public static string Of(PaymentType source, PaymentType target, bool newAccount) => (source, target) switch
    {
        _ when source == target => newAccount ? ToNewAccount : ToExistingAccount,
        (PaymentType.Prepaid, _) => newAccount ? PrepaidToNewPostpaid : PrepaidToExistingPostpaid,
        _ => newAccount ? PostpaidToNewPrepaid : PostpaidToExistingPrepaid,
    };

    /// <summary>Whether this build carries the kind out: a change of payment type moves money (not yet served).</summary>
    public static bool Served(string kind) => kind is ToNewAccount or ToExistingAccount;

    /// <summary>
    /// The participants' steps: Subscription always moves the line; Billing opens a new account's billing (with its payment
    /// info when postpaid). Account's own part (opening the new account) is done when the migration is accepted.
    /// </summary>
    public static IReadOnlyList<string> Steps(bool newAccount) =>
        newAccount ? [MigrationSteps.Subscription, MigrationSteps.Billing] : [MigrationSteps.Subscription];

    /// <summary>Where a migration stands from its steps' states: failed as soon as one failed, completed once all did.</summary>
    public static string Outcome(IReadOnlyDictionary<string, string> steps) =>
        steps.Values.Any(s => s == Failed) ? Failed : steps.Values.All(s => s == Completed) ? Completed : Pending;

    public const string Pending = "pending", Completed = "completed", Failed = "failed";
}
