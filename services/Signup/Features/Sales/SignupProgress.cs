using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Signup.Features.Compensation;

namespace MasStack.Signup.Features.Sales;

/// <summary>
/// The signup saga's state: one step row per confirmation awaited. Each change locks the signup row first,
/// so confirmations arriving together on several consumers are applied one after the other and exactly one
/// of them sees the last step confirmed and completes the signup.
/// </summary>
public static class SignupProgress
{
    /// <summary>Customer, Account, each line's steps, and for a postpaid sale Billing's payment info.</summary>
    public static IEnumerable<string> StepsFor(IEnumerable<SignupLine> lines, PaymentType paymentType) =>
        new[] { SignupSteps.Customer, SignupSteps.Account }.Concat(LineSteps(lines, paymentType))
            .Concat(paymentType == PaymentType.Postpaid ? [SignupSteps.Billing] : []);

    /// <summary>Each line is created by Subscription and given its barring profile by Barring; a prepaid line its balance by Consumption.</summary>
    public static IEnumerable<string> LineSteps(IEnumerable<SignupLine> lines, PaymentType paymentType) =>
        lines.SelectMany(l => paymentType == PaymentType.Prepaid
            ? new[] { SignupSteps.Subscription(l.SubscriptionId), SignupSteps.Barring(l.SubscriptionId), SignupSteps.Consumption(l.SubscriptionId) }
            : new[] { SignupSteps.Subscription(l.SubscriptionId), SignupSteps.Barring(l.SubscriptionId) });

    /// <summary>
    /// Confirms steps (one, or those of a sale's lines created together), and completes the signup if they were the last ones
    /// open. The lock on the signup row, the steps' confirmation and the completion go to PostgreSQL in one round trip, as
    /// three statements: the lock is held for that round trip and the commit's, while the other confirmations of the sale
    /// wait for it. Each statement must be one of its own: in READ COMMITTED each takes its snapshot as it starts, so the two
    /// after the lock see every confirmation committed before it was granted (in the locking statement's own snapshot, two
    /// confirmations arriving together each saw the other's step still open, and neither completed the signup).
    /// </summary>
    public static async Task ConfirmAsync(UnitOfWork db, long signupId, params string[] steps)
    {
        SignupIds? locked, completed;
        using (var results = await db.QueryMultipleAsync(
            $"""
            {LockPendingSql};

            UPDATE signup_steps SET state = 'confirmed', updated_at = now()
            WHERE signup_id = @signupId AND step = ANY(@steps) AND state = 'pending'
              AND EXISTS (SELECT 1 FROM signups WHERE id = @signupId AND status = 'pending');

            UPDATE signups SET status = 'completed', updated_at = now()
            WHERE id = @signupId AND status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM signup_steps WHERE signup_id = @signupId AND state <> 'confirmed')
            RETURNING user_id AS UserId, account_id AS AccountId;
            """, new { signupId, steps }))
        {
            locked = await results.ReadSingleOrDefaultAsync<SignupIds>();
            completed = await results.ReadSingleOrDefaultAsync<SignupIds>();
        }
        if (locked is null) await SignupCompensation.RepeatAsync(db, signupId);
        else if (completed is not null) await db.PublishAsync(new SignupCompleted(signupId, completed.UserId, completed.AccountId));
    }

    public static async Task FailAsync(UnitOfWork db, long signupId, string? step, string reason)
    {
        var signup = await LockPendingAsync(db, signupId);
        if (signup is null) return;

        if (step is not null)
            await db.ExecuteAsync(
                "UPDATE signup_steps SET state = 'failed', detail = @reason, updated_at = now() WHERE signup_id = @signupId AND step = @step",
                new { signupId, step, reason });
        await db.ExecuteAsync(
            "UPDATE signups SET status = 'failed', failure_reason = @reason, updated_at = now() WHERE id = @signupId",
            new { signupId, reason });
        await db.PublishAsync(new SignupFailed(signupId, signup.UserId, signup.AccountId, reason));
        await SignupCompensation.UndoAsync(db, signupId, signup.UserId, signup.AccountId, reason);
    }

    private const string LockPendingSql =
        "SELECT user_id AS UserId, account_id AS AccountId FROM signups WHERE id = @signupId AND status = 'pending' FOR UPDATE";

    private static Task<SignupIds?> LockPendingAsync(UnitOfWork db, long signupId) =>
        db.QuerySingleOrDefaultAsync<SignupIds>(LockPendingSql, new { signupId });

    private sealed record SignupIds(long UserId, long AccountId);
}
