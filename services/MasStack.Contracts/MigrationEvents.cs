namespace MasStack.Contracts;

// A migration moves one line to another account of the same user (an existing one, or one opened for it): a saga Account
// orchestrates. Account checks and records it and announces MigrationStarted; each participant named in Steps does its
// part in one local transaction and answers MigrationStepCompleted or MigrationStepFailed. Account ends it: completed
// once every step confirmed, or failed (a step failed, or the deadline passed) — then MigrationFailed asks every
// participant to undo its part, whether it ran, runs later, or never runs, and each answers MigrationStepUndone. Account
// holds the line and accounts until every participant that may have acted has answered (or a second deadline passes).

/// <summary>The parts of a migration, named as the steps of <see cref="MigrationStarted.Steps"/>.</summary>
public static class MigrationSteps
{
    /// <summary>Subscription moves the line (same subscriptionId, the target's accountId).</summary>
    public const string Subscription = "subscription";
    /// <summary>Billing opens a new account's billing (with its payment info when postpaid).</summary>
    public const string Billing = "billing";
    /// <summary>
    /// Consumption, when the line changes payment type: prepaid to postpaid closes the prepaid balance (what is left is
    /// announced by <see cref="PrepaidBalanceClosed"/> for Billing to credit); postpaid to prepaid opens a balance.
    /// </summary>
    public const string Consumption = "consumption";

    /// <summary>
    /// Test-only fault injection (<see cref="MigrationStarted.FailStep"/>, <see cref="MigrationFailed.FailStep"/>): faults separated
    /// by commas, each a step alone (it fails), <c>step:silent</c> (it never answers) or <c>step:undo-silent</c> (it undoes its part,
    /// but its <see cref="MigrationStepUndone"/> is never sent).
    /// </summary>
    public static bool Faulted(string? faults, string step, string? mode = null) =>
        faults is not null && faults.Split(',', StringSplitOptions.TrimEntries).Contains(mode is null ? step : $"{step}:{mode}");

    public const string Silent = "silent", UndoSilent = "undo-silent";
}

/// <summary>
/// A migration was accepted. <see cref="NewAccount"/> when the target was opened for it (Account opened it, announced by
/// <see cref="AccountOpened"/>); <see cref="Iban"/> and <see cref="Holder"/> only for a new postpaid account (Billing's
/// payment info, personal data: the holder is the source account's unless given). <see cref="TargetProductCode"/> is the
/// product the line takes in the target (a change of payment type maps it to one the target bundle offers); null keeps it.
/// <see cref="FailStep"/> is test-only
/// fault injection (set only where Account's <c>Faults:Migrations</c> is on): that step fails, or with <c>:silent</c> never answers.
/// </summary>
public sealed record MigrationStarted(
    long MigrationId,
    string Kind,
    long SubscriptionId,
    long UserId,
    long SourceAccountId,
    long TargetAccountId,
    bool NewAccount,
    PaymentType TargetPaymentType,
    string TargetBundleCode,
    IReadOnlyList<string> Steps,
    DateTimeOffset StartedAt,
    string? Iban = null,
    string? Holder = null,
    string? FailStep = null,
    string? TargetProductCode = null) : IIntegrationEvent;

/// <summary>
/// A bundle migration was accepted: the account moves to <see cref="ToBundleCode"/> under <see cref="Terms"/> (accepted now,
/// frozen), and each of its live lines takes the product mapped for it. Same steps, answers and undo as a line's migration.
/// </summary>
public sealed record BundleMigrationStarted(
    long MigrationId,
    long AccountId,
    long UserId,
    string FromBundleCode,
    string ToBundleCode,
    AcceptedTerms Terms,
    IReadOnlyList<LineProductMove> Lines,
    IReadOnlyList<string> Steps,
    DateTimeOffset StartedAt,
    string? FailStep = null) : IIntegrationEvent;

public sealed record LineProductMove(long SubscriptionId, string FromProductCode, string ToProductCode);

/// <summary>An account moved to another bundle (a bundle migration completed), under the terms it accepted; copies follow by <see cref="Version"/>.</summary>
public sealed record AccountBundleChanged(
    long AccountId, long UserId, string FromBundleCode, string ToBundleCode, AcceptedTerms Terms, DateTimeOffset ChangedAt, long Version) : IIntegrationEvent;

public sealed record MigrationStepCompleted(long MigrationId, string Step, DateTimeOffset At) : IIntegrationEvent;

public sealed record MigrationStepFailed(long MigrationId, string Step, string Reason, DateTimeOffset At) : IIntegrationEvent;

/// <summary>
/// Every participant undoes its part of the migration (idempotently; a part that never ran must now never run) and answers
/// <see cref="MigrationStepUndone"/>. <see cref="Kind"/> is the migration's (<c>bundle</c> for a bundle migration, whose
/// <see cref="SubscriptionId"/> is 0); <see cref="FailStep"/> the test-only faults it started with.
/// </summary>
public sealed record MigrationFailed(
    long MigrationId, long SubscriptionId, long UserId, long SourceAccountId, long TargetAccountId, bool NewAccount, string Reason, DateTimeOffset At,
    string Kind = "", string? FailStep = null) : IIntegrationEvent;

/// <summary>
/// A participant's answer to <see cref="MigrationFailed"/>: its part (<see cref="Step"/>, named as in <see cref="MigrationSteps"/>)
/// is undone, or stopped by its tombstone before it could run, or it had none. Sent once per participant and migration.
/// </summary>
public sealed record MigrationStepUndone(long MigrationId, string Step, DateTimeOffset At) : IIntegrationEvent;

public sealed record MigrationCompleted(long MigrationId, long SubscriptionId, long UserId, long SourceAccountId, long TargetAccountId, DateTimeOffset At)
    : IIntegrationEvent;

/// <summary>
/// A line moved to another account (a migration, or its undoing). <see cref="Version"/> is the line's: a copy applies the
/// move only when it is newer than the last move it applied.
/// </summary>
public sealed record SubscriptionAccountChanged(
    long SubscriptionId, long UserId, long FromAccountId, long ToAccountId, long MigrationId, DateTimeOffset ChangedAt, long Version)
    : IIntegrationEvent;

/// <summary>
/// A migration from prepaid to postpaid closed the line's prepaid balance: <see cref="Remaining"/> is what was left on it,
/// credited to <see cref="ToAccountId"/> on its first postpaid invoice (undone with the migration if it fails).
/// </summary>
public sealed record PrepaidBalanceClosed(
    long SubscriptionId, long MigrationId, long FromAccountId, long ToAccountId, Money Remaining, DateTimeOffset ClosedAt, long Version) : IIntegrationEvent;
