using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using Npgsql;

namespace MasStack.Billing.Features.Invoicing;

/// <summary>An account to invoice: who it is, where it is taxed, its lines' facts for the period and the credits owed to it.</summary>
public sealed record AccountFacts(long AccountId, long UserId, string PostalCode, IReadOnlyList<LineFacts> Lines, IReadOnlyList<AccountCredit> Credits);

/// <summary>
/// Reads, for a set of accounts and a period, what the rules need, in seven statements whatever the number of accounts. A
/// line is an account's when the account holds it now or held it in the period (it moved away, or in, by a migration).
/// </summary>
public static class InvoiceFacts
{
    public static async Task<IReadOnlyList<AccountFacts>> LoadAsync(NpgsqlConnection connection, IReadOnlyCollection<long> accountIds, BillingPeriod period)
    {
        var ids = accountIds.ToArray();
        var accounts = (await connection.QueryAsync<AccountRow>(
            "SELECT account_id AS AccountId, user_id AS UserId, postal_code AS PostalCode FROM billing_accounts WHERE account_id = ANY(@ids)",
            new { ids })).AsList();
        var lines = (await connection.QueryAsync<LineRow>(
            """
            SELECT subscription_id AS SubscriptionId, account_id AS AccountId, number, product_code AS ProductCode, activated_on AS ActivatedOn,
                   ended_on AS EndedOn, early_termination_fee AS EarlyTerminationFee
            FROM billing_lines
            WHERE (account_id = ANY(@ids)
                   OR subscription_id IN (SELECT subscription_id FROM line_account_moves
                                          WHERE (from_account_id = ANY(@ids) OR to_account_id = ANY(@ids)) AND moved_on >= @Start::date - 1))
              AND activated_on <= @End AND (ended_on IS NULL OR ended_on >= @Start)
            """, new { ids, period.Start, period.End })).AsList();
        var lineIds = lines.Select(l => l.SubscriptionId).ToArray();
        var moves = (await connection.QueryAsync<MoveRow>(
            """
            SELECT subscription_id AS SubscriptionId, version, from_account_id AS FromAccountId, to_account_id AS ToAccountId, moved_on AS MovedOn
            FROM line_account_moves WHERE subscription_id = ANY(@lineIds)
            """, new { lineIds })).ToLookup(m => m.SubscriptionId, m => new LineMove(m.Version, m.FromAccountId, m.ToAccountId, m.MovedOn));
        var credits = (await connection.QueryAsync<CreditRow>(
            """
            SELECT c.account_id AS AccountId, c.subscription_id AS SubscriptionId, l.number, c.credited_on AS CreditedOn, c.amount
            FROM account_credits c LEFT JOIN billing_lines l USING (subscription_id)
            WHERE c.account_id = ANY(@ids) AND c.credited_on BETWEEN @Start AND @End
            """, new { ids, period.Start, period.End })).ToLookup(c => c.AccountId, c => new AccountCredit(c.SubscriptionId, c.Number, c.CreditedOn, c.Amount));
        var changes = (await connection.QueryAsync<ChangeRow>(
            """
            SELECT subscription_id AS SubscriptionId, changed_on AS ChangedOn, changed_at AS ChangedAt, product_code AS Code
            FROM line_product_changes WHERE subscription_id = ANY(@lineIds)
            """, new { lineIds })).ToLookup(c => c.SubscriptionId);
        var offers = (await connection.QueryAsync<OfferRow>(
            """
            SELECT offer_id AS OfferId, subscription_id AS SubscriptionId, kind, code, start_date AS StartDate, end_date AS EndDate, removed_on AS RemovedOn
            FROM line_offers WHERE subscription_id = ANY(@lineIds)
            """, new { lineIds })).ToLookup(o => o.SubscriptionId);
        var usage = (await connection.QueryAsync<(long SubscriptionId, decimal Total)>(
            "SELECT subscription_id, total FROM usage_charges WHERE period = @period AND subscription_id = ANY(@lineIds)",
            new { period = period.ToString(), lineIds })).ToDictionary(u => u.SubscriptionId, u => u.Total);

        return accounts.Select(a => new AccountFacts(a.AccountId, a.UserId, a.PostalCode, lines
            .Select(l => (Line: l, Held: LineHoldings.Of(a.AccountId, l.AccountId, moves[l.SubscriptionId])))
            .Where(h => h.Held.Any(d => d.From <= period.End && d.To >= period.Start))
            .Select(h => new LineFacts(
                h.Line.SubscriptionId, h.Line.Number, h.Line.ProductCode, h.Line.ActivatedOn, h.Line.EndedOn, h.Line.EarlyTerminationFee,
                changes[h.Line.SubscriptionId].Select(c => new ProductChange(c.ChangedOn, c.ChangedAt, c.Code)).ToList(),
                offers[h.Line.SubscriptionId].Select(o => new LineOffer(o.OfferId, EnumText.Parse<OfferKind>(o.Kind), o.Code, o.StartDate, o.EndDate, o.RemovedOn)).ToList(),
                usage.GetValueOrDefault(h.Line.SubscriptionId), moves[h.Line.SubscriptionId].Any() ? h.Held : null)).ToList(),
            credits[a.AccountId].ToList())).ToList();
    }

    private sealed class MoveRow
    {
        public long SubscriptionId { get; init; }
        public long Version { get; init; }
        public long FromAccountId { get; init; }
        public long ToAccountId { get; init; }
        public DateOnly MovedOn { get; init; }
    }

    private sealed class CreditRow
    {
        public long AccountId { get; init; }
        public long SubscriptionId { get; init; }
        public string? Number { get; init; }
        public DateOnly CreditedOn { get; init; }
        public decimal Amount { get; init; }
    }

    private sealed record AccountRow(long AccountId, long UserId, string PostalCode);

    private sealed class LineRow
    {
        public long SubscriptionId { get; init; }
        public long AccountId { get; init; }
        public string? Number { get; init; }
        public string ProductCode { get; init; } = "";
        public DateOnly? ActivatedOn { get; init; }
        public DateOnly? EndedOn { get; init; }
        public decimal? EarlyTerminationFee { get; init; }
    }

    private sealed class ChangeRow
    {
        public long SubscriptionId { get; init; }
        public DateOnly ChangedOn { get; init; }
        public DateTimeOffset ChangedAt { get; init; }
        public string Code { get; init; } = "";
    }

    private sealed class OfferRow
    {
        public long OfferId { get; init; }
        public long SubscriptionId { get; init; }
        public string Kind { get; init; } = "";
        public string Code { get; init; } = "";
        public DateOnly? StartDate { get; init; }
        public DateOnly? EndDate { get; init; }
        public DateOnly? RemovedOn { get; init; }
    }
}
