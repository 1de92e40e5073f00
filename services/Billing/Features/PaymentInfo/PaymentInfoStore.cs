using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using Npgsql;
using Dapper;

namespace MasStack.Billing.Features.PaymentInfo;

public sealed record PaymentInfoRow(long AccountId, long UserId, string Method, string Holder, string Iban, int Version, DateTimeOffset UpdatedAt, string UpdatedBy);

public sealed record PaymentInfoHistoryEntry(int Version, string Method, string Holder, string Iban, string By, string? Why, DateTimeOffset At);

/// <summary>
/// The one writer of payment info: stores it from the sale (version 1) or replaces it, and in the same transaction keeps
/// the history (the IBAN masked) and publishes <see cref="PaymentInfoChanged"/> (masked too). The full IBAN is written to
/// this table only, always as a parameter, never in a message, a log line or an error.
/// </summary>
public static class PaymentInfoStore
{
    public const string DirectDebit = "direct-debit";

    private const string Columns =
        """
        p.account_id AS AccountId, a.user_id AS UserId, p.method, p.holder, p.iban, p.version, p.updated_at AS UpdatedAt, p.updated_by AS UpdatedBy
        """;

    /// <summary>A new account's first payment info: from its sale (<paramref name="by"/> <c>signup</c>) or the migration that opened it.</summary>
    public static async Task StoreFirstAsync(
        UnitOfWork db, long accountId, long userId, long? signupId, string holder, string iban, DateTimeOffset at, string by = "signup", string why = "The sale.")
    {
        var inserted = await db.ExecuteAsync(
            """
            INSERT INTO payment_info (account_id, method, holder, iban, version, updated_at, updated_by)
            VALUES (@accountId, @method, @holder, @iban, 1, @at, @by) ON CONFLICT (account_id) DO NOTHING
            """, new { accountId, method = DirectDebit, holder, iban, at, by });
        if (inserted == 0) return;
        await RecordAsync(db, new PaymentInfoRow(accountId, userId, DirectDebit, holder, iban, 1, at, by), signupId, why);
    }

    public static Task<PaymentInfoRow?> LoadForUpdateAsync(UnitOfWork db, long accountId) =>
        db.QuerySingleOrDefaultAsync<PaymentInfoRow>(
            $"SELECT {Columns} FROM payment_info p JOIN billing_accounts a USING (account_id) WHERE p.account_id = @accountId FOR UPDATE OF p",
            new { accountId });

    public static Task<PaymentInfoRow?> FindAsync(NpgsqlConnection connection, long accountId) =>
        connection.QuerySingleOrDefaultAsync<PaymentInfoRow>(
            $"SELECT {Columns} FROM payment_info p JOIN billing_accounts a USING (account_id) WHERE p.account_id = @accountId", new { accountId });

    public static async Task<PaymentInfoRow> ReplaceAsync(UnitOfWork db, PaymentInfoRow current, string method, string holder, string iban, string by, string? why, DateTimeOffset at)
    {
        var changed = current with { Method = method, Holder = holder, Iban = iban, Version = current.Version + 1, UpdatedAt = at, UpdatedBy = by };
        await db.ExecuteAsync(
            """
            UPDATE payment_info SET method = @Method, holder = @Holder, iban = @Iban, version = @Version, updated_at = @UpdatedAt, updated_by = @UpdatedBy
            WHERE account_id = @AccountId
            """, changed);
        await RecordAsync(db, changed, null, why);
        return changed;
    }

    private const string HistorySql =
        """
        SELECT version, method, holder, iban_masked AS Iban, changed_by AS By, why, changed_at AS At
        FROM payment_info_history WHERE account_id = @accountId ORDER BY id DESC
        """;

    public static async Task<IReadOnlyList<PaymentInfoHistoryEntry>> HistoryAsync(NpgsqlConnection connection, long accountId) =>
        (await connection.QueryAsync<PaymentInfoHistoryEntry>(HistorySql, new { accountId })).AsList();

    /// <summary>The history as the changing transaction sees it, its own change included.</summary>
    public static Task<IReadOnlyList<PaymentInfoHistoryEntry>> HistoryAsync(UnitOfWork db, long accountId) =>
        db.QueryAsync<PaymentInfoHistoryEntry>(HistorySql, new { accountId });

    private static async Task RecordAsync(UnitOfWork db, PaymentInfoRow info, long? signupId, string? why)
    {
        var masked = Iban.Mask(info.Iban);
        await db.ExecuteAsync(
            """
            INSERT INTO payment_info_history (account_id, version, method, holder, iban_masked, changed_by, why, changed_at)
            VALUES (@AccountId, @Version, @Method, @Holder, @masked, @UpdatedBy, @why, @UpdatedAt)
            """, new { info.AccountId, info.Version, info.Method, info.Holder, masked, info.UpdatedBy, why, info.UpdatedAt });
        await db.PublishAsync(new PaymentInfoChanged(info.AccountId, info.UserId, signupId, info.Method, info.Holder, masked, info.UpdatedAt, info.Version));
    }
}
