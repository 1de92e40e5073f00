using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;

namespace MasStack.Billing.Features.Invoicing;

/// <summary>An account of a run and what became of it: its draft, or why it could not be drafted.</summary>
public sealed record RunAccount(long AccountId, long UserId, InvoiceDraft? Draft, string? Failure);

/// <summary>
/// The one writer of invoices. In one transaction: the series' counter row of the year is locked first (so issuers run one
/// after the other, and an account invoiced meanwhile is seen), accounts already invoiced for the period are set aside,
/// the others get the next numbers — no gaps: a rollback gives them back —, their invoices and lines are written,
/// <see cref="InvoiceIssued"/> is published, and the run's accounts are marked done. (account, period) is unique: whatever
/// races past this, the database refuses a second invoice and the whole batch rolls back to be retried.
/// </summary>
public static class InvoiceIssuer
{
    public const string Series = "F";

    public static string NumberOf(int year, int sequence) => $"{Series}{year}-{sequence:D6}";

    public static async Task IssueAsync(UnitOfWork db, IdGenerator ids, long runId, BillingPeriod period, IReadOnlyList<RunAccount> accounts,
        IReadOnlyDictionary<long, string> postalCodes, DateTimeOffset now, DateOnly issuedOn)
    {
        var year = issuedOn.Year;
        await db.ExecuteAsync("INSERT INTO invoice_series (series, year, last_number) VALUES (@Series, @year, 0) ON CONFLICT DO NOTHING", new { Series, year });
        var last = await db.QuerySingleOrDefaultAsync<int>(
            "SELECT last_number FROM invoice_series WHERE series = @Series AND year = @year FOR UPDATE", new { Series, year });

        var accountIds = accounts.Select(a => a.AccountId).ToArray();
        var invoiced = (await db.QueryAsync<long>(
            "SELECT account_id FROM invoices WHERE period = @period AND account_id = ANY(@accountIds)", new { period = period.ToString(), accountIds })).ToHashSet();

        var issuing = accounts.Where(a => !invoiced.Contains(a.AccountId) && a.Draft is { IsEmpty: false }).ToList();
        var invoices = issuing.Select((a, i) => (Account: a, Id: ids.Next(), Sequence: last + i + 1)).ToList();
        if (invoices.Count > 0)
        {
            await db.ExecuteAsync("UPDATE invoice_series SET last_number = @next WHERE series = @Series AND year = @year",
                new { next = last + invoices.Count, Series, year });
            await db.ExecuteAsync(
                """
                INSERT INTO invoices (id, account_id, user_id, period, series, year, sequence, number, issued_on, issued_at, postal_code,
                                      tax_name, tax_rate, taxable, tax, total, run_id)
                SELECT id, account_id, user_id, @period, @Series, @year, sequence, number, @issuedOn, @now, postal_code, tax_name, tax_rate, taxable, tax, total, @runId
                FROM unnest(@Ids, @AccountIds, @UserIds, @Sequences, @Numbers, @PostalCodes, @TaxNames, @TaxRates, @Taxables, @Taxes, @Totals)
                    AS t(id, account_id, user_id, sequence, number, postal_code, tax_name, tax_rate, taxable, tax, total)
                """,
                new
                {
                    period = period.ToString(), Series, year, issuedOn, now, runId,
                    Ids = invoices.Select(i => i.Id).ToArray(),
                    AccountIds = invoices.Select(i => i.Account.AccountId).ToArray(),
                    UserIds = invoices.Select(i => i.Account.UserId).ToArray(),
                    Sequences = invoices.Select(i => i.Sequence).ToArray(),
                    Numbers = invoices.Select(i => NumberOf(year, i.Sequence)).ToArray(),
                    PostalCodes = invoices.Select(i => postalCodes[i.Account.AccountId]).ToArray(),
                    TaxNames = invoices.Select(i => i.Account.Draft!.Tax.Name).ToArray(),
                    TaxRates = invoices.Select(i => i.Account.Draft!.Tax.Rate).ToArray(),
                    Taxables = invoices.Select(i => i.Account.Draft!.Taxable).ToArray(),
                    Taxes = invoices.Select(i => i.Account.Draft!.TaxAmount).ToArray(),
                    Totals = invoices.Select(i => i.Account.Draft!.Total).ToArray(),
                });
            var lines = invoices.SelectMany(i => i.Account.Draft!.Lines.Select((l, position) => (Invoice: i.Id, Position: position + 1, Line: l))).ToList();
            await db.ExecuteAsync(
                """
                INSERT INTO invoice_lines (invoice_id, position, kind, subscription_id, code, description, from_date, to_date, days, amount)
                SELECT * FROM unnest(@Invoices, @Positions, @Kinds, @Subscriptions, @Codes, @Descriptions, @Froms::date[], @Tos::date[], @Days, @Amounts)
                """,
                new
                {
                    Invoices = lines.Select(l => l.Invoice).ToArray(),
                    Positions = lines.Select(l => l.Position).ToArray(),
                    Kinds = lines.Select(l => EnumText.Of(l.Line.Kind)).ToArray(),
                    Subscriptions = lines.Select(l => l.Line.SubscriptionId).ToArray(),
                    Codes = lines.Select(l => l.Line.Code).ToArray(),
                    Descriptions = lines.Select(l => l.Line.Description).ToArray(),
                    Froms = lines.Select(l => l.Line.From?.ToString("yyyy-MM-dd")).ToArray(),
                    Tos = lines.Select(l => l.Line.To?.ToString("yyyy-MM-dd")).ToArray(),
                    Days = lines.Select(l => l.Line.Days).ToArray(),
                    Amounts = lines.Select(l => l.Line.Amount).ToArray(),
                });
            foreach (var (account, id, sequence) in invoices)
                await db.PublishAsync(new InvoiceIssued(id, account.AccountId, account.UserId, NumberOf(year, sequence), period.ToString(), issuedOn,
                    new Money(account.Draft!.Total), now));
        }

        await db.ExecuteAsync(
            """
            UPDATE billing_run_accounts r SET state = t.state, invoice_id = t.invoice_id, detail = t.detail, claimed_until = NULL
            FROM unnest(@Accounts, @States, @InvoiceIds, @Details) AS t(account_id, state, invoice_id, detail)
            WHERE r.run_id = @runId AND r.account_id = t.account_id
            """,
            new
            {
                runId,
                Accounts = accounts.Select(a => a.AccountId).ToArray(),
                States = accounts.Select(a => invoiced.Contains(a.AccountId) ? "already-invoiced"
                    : a.Failure is not null ? "failed" : a.Draft is { IsEmpty: false } ? "invoiced" : "nothing-to-invoice").ToArray(),
                InvoiceIds = accounts.Select(a => invoices.FirstOrDefault(i => i.Account.AccountId == a.AccountId) is { Id: > 0 } i ? i.Id : (long?)null).ToArray(),
                Details = accounts.Select(a => invoiced.Contains(a.AccountId) ? null : a.Failure).ToArray(),
            });
    }
}
