using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Signup.Features.Numbers;
using MasStack.Signup.Features.Sales;
using MasStack.Signup.Features.SimCards;

namespace MasStack.Signup.Features.Compensation;

/// <summary>
/// Undoing a failed sale. Signup's own part is done at once in the failing transaction: numbers and SIMs back to stock,
/// portability requests cancelled. The others are asked with <see cref="SignupCompensationRequested"/>, and asked again
/// whenever a confirmation arrives after the failure (a service that was down creates its part late), so nothing a
/// failed sale created outlives it.
/// </summary>
public static class SignupCompensation
{
    public static async Task UndoAsync(UnitOfWork db, long signupId, long userId, long accountId, string reason)
    {
        await NumberStock.ReleaseAsync(db, signupId: signupId);
        await SimStock.ReleaseAsync(db, signupId: signupId);
        await db.ExecuteAsync(
            """
            UPDATE portability_requests SET state = 'cancelled', reason = @reason, updated_at = now()
            WHERE signup_id = @signupId AND state NOT IN ('ported', 'rejected', 'cancelled')
            """, new { signupId, reason = "The sale failed." });
        var isSale = await db.QuerySingleOrDefaultAsync<string>("SELECT kind FROM signups WHERE id = @signupId", new { signupId }) == "sale";
        var removeUser = isSale && await DocumentUsers.ReleaseIfUnusedAsync(db, signupId, userId);
        await db.ExecuteAsync("UPDATE signups SET remove_user = @removeUser WHERE id = @signupId", new { signupId, removeUser });
        await RequestAsync(db, signupId, userId, accountId, removeUser, isSale, reason);
    }

    /// <summary>A confirmation came in for a signup that had already failed: ask again, so the late part is undone.</summary>
    public static async Task RepeatAsync(UnitOfWork db, long signupId)
    {
        var failed = await db.QuerySingleOrDefaultAsync<FailedSignup>(
            """
            SELECT user_id AS UserId, account_id AS AccountId, coalesce(remove_user, false) AS RemoveUser, kind = 'sale' AS RemoveAccount,
                   coalesce(failure_reason, '') AS Reason
            FROM signups WHERE id = @signupId AND status = 'failed'
            """, new { signupId });
        if (failed is not null)
            await RequestAsync(db, signupId, failed.UserId, failed.AccountId, failed.RemoveUser, failed.RemoveAccount, failed.Reason);
    }

    private static async Task RequestAsync(UnitOfWork db, long signupId, long userId, long accountId, bool removeUser, bool removeAccount, string reason)
    {
        var lines = await db.QueryAsync<long>("SELECT subscription_id FROM signup_lines WHERE signup_id = @signupId ORDER BY subscription_id", new { signupId });
        await db.PublishAsync(new SignupCompensationRequested(signupId, userId, accountId, removeUser, removeAccount, lines.ToList(), reason));
    }

    private sealed record FailedSignup(long UserId, long AccountId, bool RemoveUser, bool RemoveAccount, string Reason);
}
