using MasStack.Platform.Data;

namespace MasStack.Signup.Features.Sales;

/// <summary>
/// Which user a document number belongs to. Users are born only from sales, so Signup needs no call to Customer: it
/// claims the document in the sale's transaction. A second sale for the same document reuses the user (a new account);
/// two concurrent sales for one new document meet on the primary key, and the second waits and reuses the first's user.
/// The claim row stays locked until the sale commits, so a failing sale deciding whether to remove the user waits for it.
/// </summary>
public static class DocumentUsers
{
    public static async Task<long> ClaimAsync(UnitOfWork db, string documentNumber, long newUserId, long signupId)
    {
        await db.ExecuteAsync(
            "INSERT INTO document_users (document_number, user_id, signup_id) VALUES (@documentNumber, @newUserId, @signupId) ON CONFLICT DO NOTHING",
            new { documentNumber, newUserId, signupId });
        return await db.QuerySingleOrDefaultAsync<long>("SELECT user_id FROM document_users WHERE document_number = @documentNumber FOR UPDATE", new { documentNumber });
    }

    /// <summary>
    /// A failed sale's user is removed only when no other sale still stands on it (pending or completed); its document
    /// is then free, so a later sale mints a new user rather than racing the removal.
    /// </summary>
    public static async Task<bool> ReleaseIfUnusedAsync(UnitOfWork db, long signupId, long userId)
    {
        // Waits for a sale that is claiming the same document right now, so that the check below sees it.
        await db.ExecuteAsync("SELECT 1 FROM document_users WHERE user_id = @userId FOR UPDATE", new { userId });
        var inUse = await db.QuerySingleOrDefaultAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM signups WHERE user_id = @userId AND id <> @signupId AND status IN ('pending', 'completed'))",
            new { userId, signupId });
        if (inUse) return false;
        await db.ExecuteAsync("DELETE FROM document_users WHERE user_id = @userId", new { userId });
        return true;
    }
}
