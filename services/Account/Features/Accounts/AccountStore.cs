using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Npgsql;

namespace MasStack.Account.Features.Accounts;

/// <summary>Reads accounts and the lines they hold, for every view of an account.</summary>
public static class AccountStore
{
    private const string Columns =
        """
        id, user_id AS UserId, status, payment_type AS PaymentType, bundle_code AS BundleCode,
        billing_day AS BillingDay, opened_at AS OpenedAt, terms::text AS Terms, terms_accepted_at AS TermsAcceptedAt
        """;

    public static async Task<AccountRow?> GetAsync(NpgsqlDataSource database, long accountId)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<AccountRow>($"SELECT {Columns} FROM accounts WHERE id = @accountId", new { accountId });
    }

    public static async Task<IReadOnlyList<AccountRow>> ForUserAsync(NpgsqlDataSource database, long userId)
    {
        await using var connection = await database.OpenConnectionAsync();
        return (await connection.QueryAsync<AccountRow>($"SELECT {Columns} FROM accounts WHERE user_id = @userId ORDER BY opened_at, id", new { userId })).AsList();
    }

    /// <summary>The lines of the accounts, every status included (a view filters what it needs).</summary>
    public static async Task<ILookup<long, AccountLine>> LinesAsync(NpgsqlDataSource database, params long[] accountIds)
    {
        await using var connection = await database.OpenConnectionAsync();
        var lines = await connection.QueryAsync<(long AccountId, long SubscriptionId, string Type, string ProductCode, string Status)>(
            """
            SELECT account_id, subscription_id, type, product_code, status FROM account_subscriptions
            WHERE account_id = ANY(@accountIds) ORDER BY subscription_id
            """, new { accountIds });
        return lines.ToLookup(l => l.AccountId, l => new AccountLine(
            l.SubscriptionId, EnumText.Parse<SubscriptionType>(l.Type), l.ProductCode, EnumText.Parse<SubscriptionStatus>(l.Status)));
    }
}

public sealed record AccountRow(
    long Id, long UserId, string Status, string PaymentType, string BundleCode, int BillingDay, DateTimeOffset OpenedAt, string? Terms,
    DateTimeOffset? TermsAcceptedAt)
{
    /// <summary>The terms as accepted, or null for an account opened before they were kept.</summary>
    public AcceptedTerms? Accepted => AccountTerms.Parse(Terms);

    public PaymentType Payment => EnumText.Parse<PaymentType>(PaymentType);

    public AccountView View(IEnumerable<AccountLine> lines) => new(
        Id, UserId, EnumText.Parse<AccountStatus>(Status), Payment, BundleCode, BillingDay, OpenedAt, lines.ToList());
}

/// <summary>An account's accepted terms as stored (jsonb).</summary>
public static class AccountTerms
{
    public static string? Json(AcceptedTerms? terms) => terms is null ? null : System.Text.Json.JsonSerializer.Serialize(terms);

    public static AcceptedTerms? Parse(string? json) => json is null ? null : System.Text.Json.JsonSerializer.Deserialize<AcceptedTerms>(json);
}
