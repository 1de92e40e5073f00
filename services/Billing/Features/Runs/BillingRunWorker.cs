using Dapper;
using MasStack.Billing.Features.Invoicing;
using MasStack.Platform.Calendar;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Workers;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MasStack.Billing.Features.Runs;

/// <summary>Wakes the run worker as soon as a run is started.</summary>
public sealed class BillingRunSignal : WorkSignal;

/// <summary>
/// Invoices the accounts of running billing runs, a batch at a time, on every instance: claim (a lease on the batch's rows,
/// <c>FOR UPDATE SKIP LOCKED</c>, committed), read the catalogue and the accounts' facts with no transaction open, draft
/// each invoice, then issue the batch in one transaction (<see cref="InvoiceIssuer"/>). A crash before that commit leaves
/// the batch claimed: it is claimed again when its lease ends, and invoiced once.
/// </summary>
public sealed class BillingRunWorker(
    NpgsqlDataSource dataSource, IServiceScopeFactory scopes, BillingRunSignal signal, BusinessCalendar calendar, IdGenerator ids,
    IOptions<TaxRates> taxes, IConfiguration configuration, ILogger<BillingRunWorker> logger)
    : ClaimingWorker<BillingRunWorker.Claimed>(logger, signal)
{
    public sealed record Claimed(long RunId, long AccountId, string Period);

    private TimeSpan Lease => configuration.GetValue("Billing:RunLease", TimeSpan.FromMinutes(2));

    protected override string Name => "billing run";

    protected override int BatchSize => configuration.GetValue("Billing:RunBatchSize", 500);

    protected override async Task<IReadOnlyList<Claimed>> ClaimAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<Claimed>(
            """
            UPDATE billing_run_accounts a SET claimed_until = now() + @Lease
            FROM billing_runs r
            WHERE r.id = a.run_id AND (a.run_id, a.account_id) IN (
                SELECT run_id, account_id FROM billing_run_accounts
                WHERE state = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
                ORDER BY run_id, account_id LIMIT @batchSize
                FOR UPDATE SKIP LOCKED)
            RETURNING a.run_id AS RunId, a.account_id AS AccountId, r.period AS Period
            """, new { Lease, batchSize })).AsList();
    }

    protected override async Task HandleAsync(IReadOnlyList<Claimed> claimed, CancellationToken ct)
    {
        foreach (var run in claimed.GroupBy(c => (c.RunId, c.Period)))
        {
            var accountIds = run.Select(c => c.AccountId).ToList();
            try
            {
                await InvoiceAsync(run.Key.RunId, BillingPeriod.Parse(run.Key.Period)!.Value, accountIds, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Billing run {RunId}: a batch of {Count} accounts failed; it is claimed again shortly", run.Key.RunId, accountIds.Count);
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                await connection.ExecuteAsync(
                    "UPDATE billing_run_accounts SET claimed_until = now() + interval '2 seconds' WHERE run_id = @RunId AND account_id = ANY(@ids) AND state = 'pending'",
                    new { run.Key.RunId, ids = accountIds.ToArray() });
            }
        }
    }

    private async Task InvoiceAsync(long runId, BillingPeriod period, IReadOnlyList<long> accountIds, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var catalogue = await scope.ServiceProvider.GetRequiredService<CatalogueClient>().GetAsync(ct);
        var prices = Prices.Of(catalogue);
        IReadOnlyList<AccountFacts> facts;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
            facts = await InvoiceFacts.LoadAsync(connection, accountIds, period);

        var accounts = facts.Select(account =>
        {
            try
            {
                return new RunAccount(account.AccountId, account.UserId, InvoiceRules.Draft(period, account.Lines, prices, taxes.Value.For(account.PostalCode), account.Credits), null);
            }
            catch (UnpricedException e)
            {
                return new RunAccount(account.AccountId, account.UserId, null, e.Message);
            }
        }).ToList();
        // An account no longer known (removed since the run started) has nothing to invoice.
        var known = accounts.Select(a => a.AccountId).ToHashSet();
        accounts.AddRange(accountIds.Where(id => !known.Contains(id)).Select(id => new RunAccount(id, 0, null, null)));

        var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var now = calendar.GetUtcNow();
        await InvoiceIssuer.IssueAsync(db, ids, runId, period, accounts, facts.ToDictionary(f => f.AccountId, f => f.PostalCode), now, BillingDates.Of(now));
        await BillingRuns.CompleteIfDoneAsync(db, runId);
        await db.CommitAsync(CancellationToken.None);
    }
}
