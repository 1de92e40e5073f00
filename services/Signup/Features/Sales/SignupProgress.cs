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

    public static async Task ConfirmAsync(UnitOfWork db, long signupId, string step)
    {
        var signup = await LockPendingAsync(db, signupId);
        if (signup is null)
        {
            await SignupCompensation.RepeatAsync(db, signupId);
            return;
        }

        // Confirm the step and count the open ones in one statement. It must come after the lock, in a statement of its
        // own: its snapshot then holds every confirmation committed before the lock was granted (in the locking statement's
        // snapshot, two confirmations arriving together each saw the other's step still open, and neither completed the
        // signup). The count reads the snapshot from before this statement's update, so the step confirmed here is left out.
        var open = await db.QuerySingleOrDefaultAsync<int>(
            """
            WITH confirmed AS (
                UPDATE signup_steps SET state = 'confirmed', updated_at = now()
                WHERE signup_id = @signupId AND step = @step AND state = 'pending'
                RETURNING step
            )
            SELECT count(*)::int FROM signup_steps
            WHERE signup_id = @signupId AND state <> 'confirmed' AND step NOT IN (SELECT step FROM confirmed)
            """, new { signupId, step });
        if (open > 0) return;

        await db.ExecuteAsync("UPDATE signups SET status = 'completed', updated_at = now() WHERE id = @signupId", new { signupId });
        await db.PublishAsync(new SignupCompleted(signupId, signup.UserId, signup.AccountId));
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

    private static Task<PendingSignup?> LockPendingAsync(UnitOfWork db, long signupId) =>
        db.QuerySingleOrDefaultAsync<PendingSignup>(
            "SELECT user_id AS UserId, account_id AS AccountId FROM signups WHERE id = @signupId AND status = 'pending' FOR UPDATE",
            new { signupId });

    private sealed record PendingSignup(long UserId, long AccountId);
}
