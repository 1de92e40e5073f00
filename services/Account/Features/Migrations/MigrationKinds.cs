using MasStack.Contracts;
using MasStack.Platform.Data;

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

    /// <summary>Whether this build carries the kind out: all six of a line's kinds are served.</summary>
    public static bool Served(string kind) => kind is ToNewAccount or ToExistingAccount
        or PrepaidToNewPostpaid or PrepaidToExistingPostpaid or PostpaidToNewPrepaid or PostpaidToExistingPrepaid;

    /// <summary>Whether the line changes payment type: its prepaid balance is closed or opened, its product mapped.</summary>
    public static bool ChangesPaymentType(string kind) =>
        kind is PrepaidToNewPostpaid or PrepaidToExistingPostpaid or PostpaidToNewPrepaid or PostpaidToExistingPrepaid;

    /// <summary>
    /// The participants' steps: Subscription always moves the line; Billing opens a new account's billing (with its payment
    /// info when postpaid); Consumption closes or opens the prepaid balance when the payment type changes. Account's own part
    /// (opening the new account) is done when the migration is accepted. (Billing follows the move itself from
    /// Subscription's event: the leaving account's prorated charges need no step of their own.)
    /// </summary>
    public static IReadOnlyList<string> Steps(string kind, bool newAccount) =>
    [
        MigrationSteps.Subscription,
        .. newAccount ? [MigrationSteps.Billing] : Array.Empty<string>(),
        .. ChangesPaymentType(kind) ? [MigrationSteps.Consumption] : Array.Empty<string>(),
    ];

    /// <summary>
    /// The participants whose undo a failed migration waits for before its line and accounts are free again: every step's,
    /// and for a line's migration Billing's too (it removes the move's and the carried balance's charges even where it had
    /// no step of its own). A bundle migration's Billing follows Subscription's product changes back: nothing of its own.
    /// </summary>
    public static IReadOnlyList<string> UndoSteps(string kind, IReadOnlyCollection<string> steps) =>
        [.. kind == Bundle ? steps : steps.Append(MigrationSteps.Billing).Distinct()];

    /// <summary>
    /// Why a line cannot migrate in its state, or null: only an active line can, or a barred one unless it is barred for debt
    /// or fraud (<paramref name="barringReasons"/>: why it is barred, as Barring last said; null when not heard yet — then a
    /// barred line waits). The reasons are read whatever the status says: a barring and the status it causes arrive apart.
    /// </summary>
    public static string? WhyNotMovable(string status, IReadOnlyCollection<string>? barringReasons)
    {
        if (BarringReasons.RefusingMigration(barringReasons) is { } reason)
            return $"The line is barred for {reason}: a line barred for debt or fraud cannot migrate.";
        if (status == EnumText.Of(SubscriptionStatus.Barred))
            return barringReasons is null ? "The line is barred, and why is not known here yet: try again shortly." : null;
        return status == EnumText.Of(SubscriptionStatus.Active) ? null
            : $"The line is {status}: only an active line can migrate, or one barred for a reason other than debt or fraud (not a pending or ended one).";
    }

    /// <summary>
    /// The product the line takes in the target bundle: the one asked for, else its own when the bundle offers it, else the
    /// first the bundle offers for its type (a prepaid tariff has no postpaid twin). Null when the bundle has no slot for it.
    /// </summary>
    public static string? TargetProduct(CatalogueBundle bundle, SubscriptionType type, string current, string? requested) =>
        requested ?? (bundle.Offers(type, current) ? current : bundle.SlotFor(type)?.Products.FirstOrDefault());

    /// <summary>Where a migration stands from its steps' states: failed as soon as one failed, completed once all did.</summary>
    public static string Outcome(IReadOnlyDictionary<string, string> steps) =>
        steps.Values.Any(s => s == Failed) ? Failed : steps.Values.All(s => s == Completed) ? Completed : Pending;

    public const string Pending = "pending", Completed = "completed", Failed = "failed";
}
